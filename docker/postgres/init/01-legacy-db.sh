#!/bin/sh
# Runs once, when the postgres container initialises an empty volume: creates the legacy database beside
# the app database (POSTGRES_DB). The origin never migrates it.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -c "create database \"${LEGACY_DB:-legacy_db}\""
