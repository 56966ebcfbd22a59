#!/usr/bin/env bash
# Backs up the app database (pg_dump, custom format), optionally the legacy database, a Redis snapshot and the
# files volume into one timestamped folder, applies retention, and optionally uploads to S3-compatible storage.
# Usage: scripts/backup.sh [--out DIR]
#   Settings come from the environment (load an env file with: set -a; . ./.env.aws; set +a):
#   DB_APP_URL              required; postgresql://, postgres:// or postgresql+asyncpg://
#   DB_LEGACY_URL           dumped too when BACKUP_LEGACY=true
#   REDIS_URL               snapshot with `redis-cli --rdb` when set (BACKUP_REDIS=false skips it)
#   FILES_BASE_DIR          archived when it is a folder on this machine (BACKUP_FILES=false skips it)
#   BACKUP_DIR              where backups go (default ./backups); --out overrides it
#   BACKUP_KEEP             keep the newest N backups (default 7; 0 keeps all)
#   BACKUP_RETENTION_DAYS   also remove backups older than N days (default 0: off)
#   BACKUP_S3_URI           s3://bucket/prefix: upload the folder with the aws CLI when set
#   BACKUP_S3_ENDPOINT_URL  endpoint of an S3-compatible store (MinIO, R2, ...)
# Prints the backup folder on the last line. Never prints a password. docs/operations/backup_restore.md
set -euo pipefail
# shellcheck source=scripts/lib-backup.sh
. "$(dirname "$0")/lib-backup.sh"

BACKUP_DIR="${BACKUP_DIR:-./backups}"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) BACKUP_DIR="$2"; shift 2 ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
KEEP="${BACKUP_KEEP:-7}"
RETENTION_DAYS="${BACKUP_RETENTION_DAYS:-0}"
[[ "$KEEP" =~ ^[0-9]+$ ]] || die "BACKUP_KEEP must be a whole number"
[[ "$RETENTION_DAYS" =~ ^[0-9]+$ ]] || die "BACKUP_RETENTION_DAYS must be a whole number"
[ -n "${DB_APP_URL:-}" ] || die "DB_APP_URL is not set"
need pg_dump "apt-get install postgresql-client-15, or run inside the postgres:15 image"

umask 077
mkdir -p "$BACKUP_DIR"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
NAME="app-server-$STAMP"
# Two backups in one second get -2, -3, ...: names still sort oldest to newest.
for n in $(seq 2 99); do [ -e "$BACKUP_DIR/$NAME" ] || break; NAME="app-server-$STAMP-$n"; done
FINAL="$BACKUP_DIR/$NAME"
WORK="$BACKUP_DIR/.$NAME.partial"
[ ! -e "$FINAL" ] || die "$FINAL already exists"
rm -rf "$WORK"
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT

dump_db() {
  local label="$1" url="$2"
  pg_env "$url"
  log "$label: pg_dump $(redacted "$url")"
  pg_dump --format=custom --compress=6 --no-password --file="$WORK/$label.dump"
  printf '%s\t%s\n' "$label" "$(redacted "$url")" >>"$WORK/sources.txt"
}

dump_db app_db "$DB_APP_URL"
if [ "${BACKUP_LEGACY:-false}" = true ]; then
  [ -n "${DB_LEGACY_URL:-}" ] || die "BACKUP_LEGACY=true but DB_LEGACY_URL is not set"
  dump_db legacy_db "$DB_LEGACY_URL"
fi

if [ -n "${REDIS_URL:-}" ] && [ "${BACKUP_REDIS:-true}" = true ]; then
  need redis-cli "apt-get install redis-tools"
  redis_args "$REDIS_URL"
  log "redis: snapshot of $(redacted "$REDIS_URL") (redis-cli --rdb)"
  # redis-cli narrates the transfer on stderr; show it only when the snapshot fails.
  if ! redis-cli "${REDIS_ARGS[@]}" --no-auth-warning --rdb "$WORK/redis.rdb" >"$WORK/redis-cli.log" 2>&1; then
    die "redis snapshot failed: $(tail -2 "$WORK/redis-cli.log")"
  fi
  rm -f "$WORK/redis-cli.log"
  printf 'redis\t%s\n' "$(redacted "$REDIS_URL")" >>"$WORK/sources.txt"
fi

if [ -n "${FILES_BASE_DIR:-}" ] && [ "${BACKUP_FILES:-true}" = true ]; then
  if [ -d "$FILES_BASE_DIR" ]; then
    log "files: archiving $FILES_BASE_DIR"
    tar -C "$FILES_BASE_DIR" -czf "$WORK/files.tar.gz" .
    printf 'files\t%s\n' "$FILES_BASE_DIR" >>"$WORK/sources.txt"
  else
    log "files: $FILES_BASE_DIR is not a folder here; skipped (run on the host that mounts the volume)"
  fi
fi

(cd "$WORK" && { sha256sum -- *.dump *.rdb *.tar.gz 2>/dev/null >SHA256SUMS || true; })
{
  echo "created_at=$STAMP"
  echo "pg_dump=$(pg_dump --version)"
  echo "host=$(hostname)"
} >"$WORK/manifest.txt"
mv "$WORK" "$FINAL"
trap - EXIT
log "backup complete: $FINAL ($(du -sh "$FINAL" | cut -f1))"

if [ -n "${BACKUP_S3_URI:-}" ]; then
  need aws "install the AWS CLI to upload backups"
  endpoint=()
  [ -z "${BACKUP_S3_ENDPOINT_URL:-}" ] || endpoint=(--endpoint-url "$BACKUP_S3_ENDPOINT_URL")
  log "upload: $BACKUP_S3_URI/$NAME/"
  aws "${endpoint[@]}" s3 cp --recursive --only-show-errors "$FINAL" "${BACKUP_S3_URI%/}/$NAME/"
fi

# Retention: complete backups only (in-progress folders start with a dot), newest first.
mapfile -t backups < <(find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name 'app-server-*' -printf '%f\n' | sort -r)
if [ "$KEEP" -gt 0 ] && [ "${#backups[@]}" -gt "$KEEP" ]; then
  for old in "${backups[@]:$KEEP}"; do
    log "retention: removing $old (keeping the newest $KEEP)"
    rm -rf "${BACKUP_DIR:?}/$old"
  done
fi
if [ "$RETENTION_DAYS" -gt 0 ]; then
  find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name 'app-server-*' -mtime "+$RETENTION_DAYS" \
    ! -name "$NAME" -print -exec rm -rf {} + | sed 's/^/retention: removed (age) /'
fi
echo "$FINAL"
