#!/bin/sh
# npm run bench's setup: the load generator (wrk) and the seed's FastAPI peer (Debian's python3 packages, see
# ../shared/peer-fastapi/README.md) come from apt; install what is missing. Needs root (or sudo) the first time.
set -e
missing=""
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
for pkg in python3-fastapi python3-uvicorn python3-asyncpg python3-sqlalchemy python3-jwt python3-uvloop python3-httptools; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
echo "bench setup: installing$missing" >&2
run=""
[ "$(id -u)" -eq 0 ] || run="sudo"
$run apt-get install -y --no-install-recommends $missing >/dev/null || {
  $run apt-get update >/dev/null && $run apt-get install -y --no-install-recommends $missing >/dev/null
}
