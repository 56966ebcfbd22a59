# Shared helpers for scripts/backup.sh and scripts/restore.sh (sourced, not run).
# Connection URLs are split into libpq / redis-cli environment variables, so no password ever appears on a
# command line (visible in `ps`) or in the output.

log() { printf '%s %s\n' "$(date -u +%H:%M:%SZ)" "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

url_decode() { printf '%b' "${1//%/\\x}"; }

# parse_url URL -> URL_SCHEME URL_USER URL_PASSWORD URL_HOST URL_PORT URL_PATH URL_QUERY
parse_url() {
  local url="$1" rest userinfo hostport
  URL_SCHEME="${url%%://*}"
  [ "$URL_SCHEME" != "$url" ] || die "not a URL (expected scheme://...)"
  rest="${url#*://}"
  URL_QUERY=""
  if [[ "$rest" == *\?* ]]; then URL_QUERY="${rest#*\?}"; rest="${rest%%\?*}"; fi
  URL_PATH=""
  if [[ "$rest" == */* ]]; then URL_PATH="${rest#*/}"; rest="${rest%%/*}"; fi
  userinfo=""
  hostport="$rest"
  if [[ "$rest" == *@* ]]; then userinfo="${rest%@*}"; hostport="${rest##*@}"; fi
  URL_USER="$(url_decode "${userinfo%%:*}")"
  URL_PASSWORD=""
  if [[ "$userinfo" == *:* ]]; then URL_PASSWORD="$(url_decode "${userinfo#*:}")"; fi
  if [[ "$hostport" == \[*\]* ]]; then
    URL_HOST="${hostport%%]*}"; URL_HOST="${URL_HOST#[}"
    URL_PORT="${hostport##*]}"; URL_PORT="${URL_PORT#:}"
  elif [[ "$hostport" == *:* ]]; then
    URL_HOST="${hostport%%:*}"; URL_PORT="${hostport##*:}"
  else
    URL_HOST="$hostport"; URL_PORT=""
  fi
}

# A URL safe to print: scheme://host:port/path, never the user's password.
redacted() {
  parse_url "$1"
  printf '%s://%s%s/%s' "${URL_SCHEME}" "${URL_HOST}" "${URL_PORT:+:$URL_PORT}" "${URL_PATH}"
}

# pg_env URL: exports PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE (+ PGSSLMODE) for pg_dump/pg_restore/psql.
# Accepts postgres://, postgresql:// and the seed's postgresql+asyncpg://.
pg_env() {
  parse_url "$1"
  case "$URL_SCHEME" in
    postgres | postgresql | postgresql+* | postgres+*) ;;
    *) die "not a PostgreSQL URL (expected postgresql://user:password@host:5432/database)" ;;
  esac
  [ -n "$URL_PATH" ] || die "the PostgreSQL URL names no database"
  PGDATABASE="$(url_decode "$URL_PATH")"
  export PGHOST="$URL_HOST" PGPORT="${URL_PORT:-5432}" PGDATABASE
  if [ -n "$URL_USER" ]; then export PGUSER="$URL_USER"; else unset PGUSER; fi
  if [ -n "$URL_PASSWORD" ]; then export PGPASSWORD="$URL_PASSWORD"; else unset PGPASSWORD; fi
  unset PGSSLMODE
  local param
  for param in ${URL_QUERY//&/ }; do
    case "$param" in
      sslmode=*) export PGSSLMODE="${param#sslmode=}" ;;
      host=*) PGHOST="$(url_decode "${param#host=}")" ;;
    esac
  done
}

# redis_args URL: sets REDIS_ARGS (host, port, db, --user, --tls) and exports REDISCLI_AUTH for redis-cli.
redis_args() {
  parse_url "$1"
  case "$URL_SCHEME" in redis | rediss) ;; *) die "not a Redis URL (expected redis://host:6379/0)" ;; esac
  REDIS_DB="${URL_PATH:-0}"
  REDIS_HOST="$URL_HOST"
  REDIS_PORT="${URL_PORT:-6379}"
  REDIS_ARGS=(-h "$REDIS_HOST" -p "$REDIS_PORT" -n "$REDIS_DB")
  [ "$URL_SCHEME" != rediss ] || REDIS_ARGS+=(--tls)
  if [ -n "$URL_USER" ] && [ "$URL_USER" != default ]; then REDIS_ARGS+=(--user "$URL_USER"); fi
  # shellcheck disable=SC2034 # read by restore.sh, which sources this file
  REDIS_USER="$URL_USER"
  if [ -n "$URL_PASSWORD" ]; then export REDISCLI_AUTH="$URL_PASSWORD"; else unset REDISCLI_AUTH; fi
}

need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found ($2)"; }
