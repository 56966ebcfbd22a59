#!/usr/bin/env bash
# Restore drill: restores the newest backup's app database into a scratch database, checks that every table
# holds exactly the rows the dump carries, then drops the scratch database. Nothing else is touched.
# Usage: scripts/restore-drill.sh [BACKUP_FOLDER]
#   BACKUP_FOLDER      default: the newest app-server-* folder in BACKUP_DIR (default ./backups); with
#                      BACKUP_S3_URI set and no local backup, the newest one in S3 is downloaded first
#   DRILL_DB_URL       a PostgreSQL URL on the server to drill against; its user must be allowed CREATE
#                      DATABASE (default: DB_APP_URL). The scratch database is <that database>_drill_<time>.
#   DRILL_MIN_TABLES   fail when the dump holds fewer tables (default 3: an empty dump is not a backup)
#   DRILL_KEEP=true    keep the scratch database for a look (drop it yourself)
# Prints one line per table (rows in the dump, rows restored) and a last line `drill ok` or the failure; the
# summary is also written to <backup>/drill.txt. Never prints a password. docs/operations/backup_restore.md
set -euo pipefail
# shellcheck source=scripts/lib-backup.sh
. "$(dirname "$0")/lib-backup.sh"

FOLDER="${1:-}"
BACKUP_DIR="${BACKUP_DIR:-./backups}"
MIN_TABLES="${DRILL_MIN_TABLES:-3}"
[[ "$MIN_TABLES" =~ ^[0-9]+$ ]] || die "DRILL_MIN_TABLES must be a whole number"
DRILL_URL="${DRILL_DB_URL:-${DB_APP_URL:-}}"
[ -n "$DRILL_URL" ] || die "DRILL_DB_URL (or DB_APP_URL) is not set"
need pg_restore "apt-get install postgresql-client-15, or run inside the postgres:15 image"
need psql "apt-get install postgresql-client-15"

newest_local() { find "$BACKUP_DIR" -maxdepth 1 -type d -name 'app-server-*' 2>/dev/null | sort | tail -1; }
if [ -z "$FOLDER" ]; then
  FOLDER="$(newest_local)"
  if [ -z "$FOLDER" ] && [ -n "${BACKUP_S3_URI:-}" ]; then
    need aws "the AWS CLI, to download the newest backup from BACKUP_S3_URI"
    s3=(aws s3)
    [ -z "${BACKUP_S3_ENDPOINT_URL:-}" ] || s3+=(--endpoint-url "$BACKUP_S3_ENDPOINT_URL")
    name="$("${s3[@]}" ls "${BACKUP_S3_URI%/}/" | awk '$1 == "PRE" && $2 ~ /^app-server-/ { print $2 }' | sort | tail -1)"
    [ -n "$name" ] || die "no backup in $BACKUP_S3_URI"
    mkdir -p "$BACKUP_DIR"
    log "downloading ${name%/} from $BACKUP_S3_URI"
    "${s3[@]}" cp --recursive --only-show-errors "${BACKUP_S3_URI%/}/$name" "$BACKUP_DIR/$name"
    FOLDER="$BACKUP_DIR/${name%/}"
  fi
fi
[ -n "$FOLDER" ] || die "no backup found in $BACKUP_DIR"
[ -f "$FOLDER/manifest.txt" ] || die "$FOLDER has no manifest.txt: not a complete backup"
[ -f "$FOLDER/app_db.dump" ] || die "$FOLDER has no app_db.dump"
if [ -f "$FOLDER/SHA256SUMS" ]; then
  (cd "$FOLDER" && sha256sum --quiet -c SHA256SUMS) || die "checksum mismatch: the backup is damaged"
fi

pg_env "$DRILL_URL"
MAINTENANCE_DB="$PGDATABASE"
SCRATCH="${MAINTENANCE_DB}_drill_$(date -u +%Y%m%d%H%M%S)"
[[ "$SCRATCH" =~ ^[A-Za-z0-9_]{1,63}$ ]] || die "scratch database name $SCRATCH is not a plain identifier"
export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}"
psql_maint() { psql --no-password --no-psqlrc -v ON_ERROR_STOP=1 -qAt --dbname="$MAINTENANCE_DB" "$@"; }
psql_scratch() { psql --no-password --no-psqlrc -v ON_ERROR_STOP=1 -qAt --dbname="$SCRATCH" "$@"; }

work="$(mktemp -d)"
drop_scratch() {
  if [ "${DRILL_KEEP:-false}" = true ]; then
    log "kept scratch database $SCRATCH"
  else
    psql_maint -c "DROP DATABASE IF EXISTS \"$SCRATCH\"" >/dev/null 2>&1 || log "could not drop $SCRATCH: drop it by hand"
  fi
  rm -rf "$work"
}
trap drop_scratch EXIT

started="$(date +%s)"
log "drill: $(basename "$FOLDER") into $SCRATCH on $(redacted "$DRILL_URL")"
psql_maint -c "CREATE DATABASE \"$SCRATCH\""
pg_restore --no-owner --no-privileges --single-transaction --exit-on-error --no-password \
  --dbname="$SCRATCH" "$FOLDER/app_db.dump"

# Rows per table as the dump carries them: the data lines of each COPY block (COPY text format escapes
# newlines inside values, so one line is one row).
pg_restore --data-only --file=- "$FOLDER/app_db.dump" |
  awk '
    /^COPY [^ ]+ .* FROM stdin;$/ { table = $2; rows[table] = 0; inblock = 1; next }
    inblock && $0 == "\\." { inblock = 0; next }
    inblock { rows[table]++ }
    END { for (t in rows) print t "\t" rows[t] }
  ' | sort >"$work/expected.tsv"

tables=0
failures=0
: >"$work/summary.txt"
while IFS=$'\t' read -r table expected; do
  [[ "$table" =~ ^[A-Za-z0-9_.\"]+$ ]] || die "unexpected table name in the dump: $table"
  restored="$(psql_scratch -c "SELECT count(*) FROM $table")"
  status=ok
  if [ "$restored" != "$expected" ]; then status=MISMATCH; failures=$((failures + 1)); fi
  printf '%-40s dump=%-8s restored=%-8s %s\n' "$table" "$expected" "$restored" "$status" | tee -a "$work/summary.txt"
  tables=$((tables + 1))
done <"$work/expected.tsv"

seconds=$(($(date +%s) - started))
if [ "$tables" -lt "$MIN_TABLES" ]; then
  result="drill FAILED: the dump holds $tables tables (fewer than DRILL_MIN_TABLES=$MIN_TABLES)"
elif [ "$failures" -gt 0 ]; then
  result="drill FAILED: $failures of $tables tables restored a different number of rows"
else
  result="drill ok: $tables tables, every row count matches, restored in ${seconds}s"
fi
{
  echo "drilled_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "backup=$(basename "$FOLDER")"
  cat "$work/summary.txt"
  echo "$result"
} >"$FOLDER/drill.txt" 2>/dev/null || true
echo "$result"
[[ "$result" == "drill ok"* ]]
