#!/bin/sh
# The ACME client of compose.aws (the certbot/certbot image runs this instead of its entrypoint).
# 1. First start: until a certificate for TLS_DOMAIN exists, nginx serves a self-signed placeholder
#    (2 days), so it can start and answer the HTTP-01 challenge on port 80.
# 2. Loop: request the certificate (HTTP-01, webroot shared with nginx) until it is issued, then renew
#    twice a day (certbot renews within 30 days of expiry). nginx reads the certificate through the
#    symlink app-server/current (placeholder or live/TLS_DOMAIN); nginx/entrypoint/40-tls-reload.sh
#    reloads nginx when the file behind it changes.
# Settings (from .env.aws): TLS_DOMAIN, ACME_EMAIL, ACME_STAGING=true (Let's Encrypt staging, for trials),
# ACME_SERVER (another ACME directory URL). docs/deploy/tls.md.
set -eu

: "${TLS_DOMAIN:?TLS_DOMAIN is not set (the public host name the certificate is for)}"
: "${ACME_EMAIL:?ACME_EMAIL is not set (the ACME account e-mail for expiry notices)}"
letsencrypt="${LETSENCRYPT_DIR:-/etc/letsencrypt}"
webroot="${ACME_WEBROOT:-/var/www/acme}"
retry_seconds="${ACME_RETRY_SECONDS:-900}"
renew_seconds="${ACME_RENEW_SECONDS:-43200}"

live="$letsencrypt/live/$TLS_DOMAIN"
state="$letsencrypt/app-server"
current="$state/current"

log() { printf '%s certbot-loop: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

# Points `current` at a folder (relative, so the link resolves in every container that mounts the volume).
point_current_at() { ln -sfn "$1" "$current"; }

mkdir -p "$state" "$webroot/.well-known/acme-challenge"

if [ -s "$live/fullchain.pem" ]; then
  point_current_at "../live/$TLS_DOMAIN"
elif [ ! -s "$current/fullchain.pem" ]; then
  log "no certificate for $TLS_DOMAIN yet: writing a self-signed placeholder so nginx can start"
  mkdir -p "$state/placeholder"
  openssl req -x509 -nodes -newkey rsa:2048 -days 2 -subj "/CN=$TLS_DOMAIN" \
    -keyout "$state/placeholder/privkey.pem" -out "$state/placeholder/fullchain.pem" 2>/dev/null
  point_current_at placeholder
fi

set -- --webroot -w "$webroot" --non-interactive
if [ "${ACME_STAGING:-false}" = true ]; then set -- "$@" --staging; fi
if [ -n "${ACME_SERVER:-}" ]; then set -- "$@" --server "$ACME_SERVER"; fi

while :; do
  if [ -s "$live/fullchain.pem" ]; then
    certbot renew "$@" --quiet || log "renewal failed; retrying in ${retry_seconds}s"
  else
    log "requesting a certificate for $TLS_DOMAIN"
    certbot certonly "$@" --cert-name "$TLS_DOMAIN" -d "$TLS_DOMAIN" --email "$ACME_EMAIL" \
      --agree-tos --no-eff-email --keep-until-expiring ||
      log "issuance failed (is port 80 of $TLS_DOMAIN reaching this host?); retrying in ${retry_seconds}s"
  fi
  if [ -s "$live/fullchain.pem" ] && [ "$(readlink "$current")" != "../live/$TLS_DOMAIN" ]; then
    point_current_at "../live/$TLS_DOMAIN"
    rm -rf "$state/placeholder"
    log "certificate for $TLS_DOMAIN in place; nginx reloads on its own"
  fi
  if [ "${ACME_ONCE:-false}" = true ]; then exit 0; fi
  if [ -s "$live/fullchain.pem" ]; then sleep "$renew_seconds"; else sleep "$retry_seconds"; fi
done
