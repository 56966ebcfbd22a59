#!/bin/sh
# Runs once, after 01-legacy-db.sh: creates the least-privilege role the origin uses for the legacy database
# (docs/db/legacy_role.sql, mounted by compose.local.yml): SELECT, INSERT and UPDATE on its tables, no DELETE,
# no TRUNCATE, no DDL. The origin refuses an owner or superuser legacy connection in production.
# The role gets POSTGRES_PASSWORD as its password when one is set (without one the local server trusts).
set -eu
db="${LEGACY_DB:-legacy_db}"
role_sql="${LEGACY_ROLE_SQL:-/legacy-role/legacy_role.sql}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$db" -f "$role_sql"
if [ -n "${POSTGRES_PASSWORD:-}" ]; then
  psql -v ON_ERROR_STOP=1 -v password="$POSTGRES_PASSWORD" --username "$POSTGRES_USER" --dbname "$db" <<'SQL'
ALTER ROLE app_legacy PASSWORD :'password';
SQL
fi
