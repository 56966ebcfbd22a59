#!/usr/bin/env bash
# Installs the system packages the full test suite needs (Debian 12): PostgreSQL 15 (when the machine
# lacks it) and its client tools (pg_dump), redis-server, nginx, chromium, and the offline checkers: docker-compose
# (v1, compose files), promtool and amtool (prometheus, prometheus-alertmanager: alert rules, their unit tests and
# the Alertmanager config) and shellcheck (every script in scripts/).
# Needs root (or sudo). Safe to re-run: it installs only what is missing.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }
pg_ok() { have initdb || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }

pg_ok || need+=(postgresql-15)
# pg_dump/pg_restore/psql for scripts/backup.sh and restore.sh (part of postgresql-15, separate when initdb
# came from elsewhere).
have pg_dump || need+=(postgresql-client-15)
have redis-server || need+=(redis-server)
have nginx || [ -x /usr/sbin/nginx ] || need+=(nginx)
have chromium || need+=(chromium)
# The TLS tests make their certificates with it (nginx-tls, tls-scripts).
have openssl || need+=(openssl)
# Checkers only: installed without recommends (docker-compose's would pull in a Docker engine, prometheus's
# the node exporter).
checkers=()
have docker-compose || checkers+=(docker-compose)
have promtool || checkers+=(prometheus)
have amtool || checkers+=(prometheus-alertmanager)
have shellcheck || checkers+=(shellcheck)

if [ ${#need[@]} -eq 0 ] && [ ${#checkers[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if have sudo; then SUDO="sudo"; else
    echo "missing packages: ${need[*]} ${checkers[*]} (run this script as root to install them)" >&2
    exit 1
  fi
fi
echo "installing: ${need[*]} ${checkers[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
[ ${#need[@]} -eq 0 ] || $SUDO apt-get install -y -qq "${need[@]}"
[ ${#checkers[@]} -eq 0 ] || $SUDO apt-get install -y -qq --no-install-recommends "${checkers[@]}"
# apt may start services; the tests start their own on free ports.
for svc in redis-server nginx postgresql prometheus prometheus-alertmanager; do
  $SUDO systemctl stop "$svc" >/dev/null 2>&1 || $SUDO service "$svc" stop >/dev/null 2>&1 || true
done
