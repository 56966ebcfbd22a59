#!/bin/sh
# Run by the nginx image's entrypoint before nginx starts (compose.aws mounts it; it does nothing without
# NGINX_TLS_CERTIFICATE). Leaves a watcher behind that reloads nginx when the certificate file changes:
# the placeholder replaced by the first real certificate, or a renewal. Checked every
# NGINX_TLS_WATCH_SECONDS (60); a reload keeps open connections (graceful).
set -eu
[ -n "${NGINX_TLS_CERTIFICATE:-}" ] || exit 0

fingerprint() {
  # The file behind the symlinks: its inode changes when certbot writes a new one or the link moves.
  # (A reload before the file exists would fail; the file's absence is a fingerprint of its own.)
  ls -liL "$NGINX_TLS_CERTIFICATE" "${NGINX_TLS_CERTIFICATE_KEY:-$NGINX_TLS_CERTIFICATE}" 2>/dev/null || echo missing
}

watch_certificate() {
  seen="$(fingerprint)"
  while sleep "${NGINX_TLS_WATCH_SECONDS:-60}"; do
    now="$(fingerprint)"
    if [ "$now" != "$seen" ]; then
      seen="$now"
      echo "40-tls-reload.sh: certificate changed; reloading nginx"
      nginx -s reload || echo "40-tls-reload.sh: reload failed; nginx keeps the old certificate" >&2
    fi
  done
}

watch_certificate &
