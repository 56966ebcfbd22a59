-- A least-privilege role for the origin's legacy database connection (DB_LEGACY_URL).
-- The origin already refuses everything but SELECT, INSERT and UPDATE before a statement is sent
-- (src/db/legacy-guard.ts); this role is the second wall, enforced by the server itself:
-- no DELETE, no TRUNCATE, and no DDL (it owns nothing, so it cannot DROP or ALTER, and it cannot CREATE).
--
-- Run it once per legacy database, connected as the owner of its tables (so the default privileges
-- below cover the tables that owner creates later), for example:
--   psql "postgresql://owner@legacy-host:5432/legacy_db" -f docs/db/legacy_role.sql
-- then give the role a password and use it in DB_LEGACY_URL:
--   ALTER ROLE app_legacy PASSWORD '<a strong password>';
-- The local compose stack runs this file itself (docker/postgres/init/02-legacy-role.sh). At start the origin
-- inspects the legacy connection and, in production, refuses a superuser or table owner.
-- To use another role name, replace app_legacy throughout. Tables in other schemas than public need the
-- same GRANT lines for their schema. test/integration/legacy-role.test.ts applies this file unchanged.

-- The role: can log in, nothing more. Safe to re-run.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'app_legacy') THEN
    CREATE ROLE app_legacy LOGIN;
  END IF;
END
$$;
ALTER ROLE app_legacy NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT LOGIN;

-- Connect to this database, use the schema, create nothing in it.
DO $$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO app_legacy', current_database());
END
$$;
-- (PostgreSQL 15+ already withholds CREATE on public from PUBLIC; this makes older servers match.)
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM app_legacy;
GRANT USAGE ON SCHEMA public TO app_legacy;

-- Existing tables and sequences: read, add and change rows; never remove them.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM app_legacy;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO app_legacy;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM app_legacy;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO app_legacy;

-- Tables and sequences the owner creates later get the same privileges.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE ON TABLES TO app_legacy;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO app_legacy;
