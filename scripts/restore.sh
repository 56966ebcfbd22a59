#!/usr/bin/env bash
# Restores a folder written by scripts/backup.sh. It overwrites data, so it asks for --yes.
# Usage: scripts/restore.sh BACKUP_FOLDER --yes [--only PARTS]
#   PARTS: a comma-separated subset of app_db,redis,files,legacy_db (default: app_db,redis,files, each when
#   the backup has it). The legacy database is restored only when named: it belongs to another system.
#   Targets come from the environment, as for backup.sh: DB_APP_URL, DB_LEGACY_URL, REDIS_URL, FILES_BASE_DIR.
#   app_db/legacy_db: pg_restore --clean --if-exists into the database (stop the api first: docs/operations).
#   redis: the snapshot is loaded into a private redis-server on this machine, then every key of REDIS_URL's
#          database is copied over with MIGRATE ... COPY REPLACE (needs redis-server here and REDIS_URL
#          reachable from here; plain redis:// only).
#   files: the archive is extracted into FILES_BASE_DIR (same names are overwritten; nothing is deleted).
# Never prints a password. docs/operations/backup_restore.md
set -euo pipefail
# shellcheck source=scripts/lib-backup.sh
. "$(dirname "$0")/lib-backup.sh"

FOLDER=""
CONFIRMED=false
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --yes) CONFIRMED=true; shift ;;
    --only) ONLY="$2"; shift 2 ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) die "unknown argument: $1 (see --help)" ;;
    *) [ -z "$FOLDER" ] || die "one backup folder only"; FOLDER="$1"; shift ;;
  esac
done
[ -n "$FOLDER" ] || die "usage: scripts/restore.sh BACKUP_FOLDER --yes [--only app_db,redis,files,legacy_db]"
[ -d "$FOLDER" ] || die "$FOLDER is not a folder"
[ -f "$FOLDER/manifest.txt" ] || die "$FOLDER has no manifest.txt: not a complete backup"
$CONFIRMED || die "restoring overwrites data; add --yes to go ahead"

wanted() {
  local part="$1"
  if [ -n "$ONLY" ]; then [[ ",$ONLY," == *",$part,"* ]]; else [ "$part" != legacy_db ]; fi
}
if [ -n "$ONLY" ]; then
  for part in ${ONLY//,/ }; do
    case "$part" in app_db | legacy_db | redis | files) ;; *) die "unknown part: $part" ;; esac
  done
fi

if [ -f "$FOLDER/SHA256SUMS" ]; then
  log "checking checksums"
  (cd "$FOLDER" && sha256sum --quiet -c SHA256SUMS) || die "checksum mismatch: the backup is damaged"
fi

restore_db() {
  local label="$1" url="$2"
  need pg_restore "apt-get install postgresql-client-15, or run inside the postgres:15 image"
  pg_env "$url"
  log "$label: pg_restore into $(redacted "$url")"
  pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error --no-password \
    --dbname="$PGDATABASE" "$FOLDER/$label.dump"
}

for label in app_db legacy_db; do
  wanted "$label" || continue
  if [ ! -f "$FOLDER/$label.dump" ]; then
    [ -z "$ONLY" ] || die "the backup has no $label.dump"
    continue
  fi
  var=DB_APP_URL
  [ "$label" = app_db ] || var=DB_LEGACY_URL
  [ -n "${!var:-}" ] || die "$var is not set"
  restore_db "$label" "${!var}"
done

if wanted redis && [ -f "$FOLDER/redis.rdb" ]; then
  [ -n "${REDIS_URL:-}" ] || die "REDIS_URL is not set"
  need redis-server "apt-get install redis-server"
  need redis-cli "apt-get install redis-tools"
  redis_args "$REDIS_URL"
  [ "$URL_SCHEME" = redis ] || die "the Redis restore copies keys with MIGRATE, which needs a plain redis:// target"
  target_host="$REDIS_HOST" target_port="$REDIS_PORT" target_db="$REDIS_DB"
  target_user="${REDIS_USER:-}" target_password="${REDISCLI_AUTH:-}"
  unset REDISCLI_AUTH
  scratch="$(mktemp -d)"
  cp "$FOLDER/redis.rdb" "$scratch/dump.rdb"
  # A private server on a Unix socket loads the snapshot (append-only off, so the RDB is read).
  socket="$scratch/redis.sock"
  redis-server --port 0 --unixsocket "$socket" --dir "$scratch" --dbfilename dump.rdb --appendonly no \
    --save '' --daemonize yes --pidfile "$scratch/redis.pid" --logfile "$scratch/redis.log"
  cleanup_scratch() {
    redis-cli -s "$socket" shutdown nosave >/dev/null 2>&1 || true
    rm -rf "$scratch"
  }
  trap cleanup_scratch EXIT
  for _ in $(seq 1 100); do
    [ "$(redis-cli -s "$socket" ping 2>/dev/null)" = PONG ] && break
    sleep 0.1
  done
  [ "$(redis-cli -s "$socket" ping 2>/dev/null)" = PONG ] || die "the private redis-server did not start: $(tail -3 "$scratch/redis.log")"
  total="$(redis-cli -s "$socket" -n "$target_db" dbsize)"
  log "redis: copying $total keys of db $target_db into $(redacted "$REDIS_URL")"
  # MIGRATE's arguments go through stdin (redis-cli reads quoted commands there), keeping the password off
  # the command line. Keys are copied in batches of 100; REPLACE overwrites keys that exist at the target.
  redis-cli -s "$socket" -n "$target_db" --scan |
    MIGRATE_USER="${target_user:-default}" MIGRATE_PASSWORD="$target_password" \
    awk -v host="$target_host" -v port="$target_port" -v db="$target_db" '
      function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
      BEGIN { auth = ENVIRON["MIGRATE_PASSWORD"] == "" ? "" : "AUTH2 " q(ENVIRON["MIGRATE_USER"]) " " q(ENVIRON["MIGRATE_PASSWORD"]) }
      { keys = keys " " q($0); n++ }
      n == 100 { print "MIGRATE " q(host) " " port " \"\" " db " 10000 COPY REPLACE " auth " KEYS" keys; keys = ""; n = 0 }
      END { if (n > 0) print "MIGRATE " q(host) " " port " \"\" " db " 10000 COPY REPLACE " auth " KEYS" keys }
    ' | redis-cli -s "$socket" -n "$target_db" >"$scratch/migrate.out"
  if grep -qv -E '^(OK|NOKEY)$' "$scratch/migrate.out"; then
    die "redis: MIGRATE failed: $(grep -v -E '^(OK|NOKEY)$' "$scratch/migrate.out" | head -1)"
  fi
  cleanup_scratch
  trap - EXIT
  log "redis: restored $total keys"
elif [ "$ONLY" != "" ] && wanted redis; then
  die "the backup has no redis.rdb"
fi

if wanted files && [ -f "$FOLDER/files.tar.gz" ]; then
  [ -n "${FILES_BASE_DIR:-}" ] || die "FILES_BASE_DIR is not set"
  mkdir -p "$FILES_BASE_DIR"
  log "files: extracting into $FILES_BASE_DIR"
  tar -C "$FILES_BASE_DIR" -xzf "$FOLDER/files.tar.gz"
elif [ "$ONLY" != "" ] && wanted files; then
  die "the backup has no files.tar.gz"
fi

log "restore complete from $FOLDER"
