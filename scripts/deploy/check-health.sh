#!/usr/bin/env bash
# After a deploy: polls the readiness report BASE_URL${API_V1_STR}/health until it says `healthy` (the app DB,
# legacy DB and Redis all answer), then exits 0; exits 1 with the last answer when it never does.
# Usage: scripts/deploy/check-health.sh BASE_URL
#   API_V1_STR        the origin's API prefix (default /api/v1)
#   HEALTH_ACCEPT     statuses that pass, space separated (default "healthy"; "healthy degraded" tolerates
#                     a legacy DB or Redis outage)
#   HEALTH_ATTEMPTS   tries (default 30)    HEALTH_INTERVAL  seconds between tries (default 10)
# docs/deploy/delivery.md
set -euo pipefail

BASE_URL="${1:-}"
[ -n "$BASE_URL" ] || { echo "usage: check-health.sh BASE_URL (set the environment's PUBLIC_BASE_URL)" >&2; exit 2; }
BASE_URL="${BASE_URL%/}"
ATTEMPTS="${HEALTH_ATTEMPTS:-30}"
INTERVAL="${HEALTH_INTERVAL:-10}"
ACCEPT="${HEALTH_ACCEPT:-healthy}"
[[ "$ATTEMPTS" =~ ^[1-9][0-9]*$ ]] || { echo "HEALTH_ATTEMPTS must be a positive whole number" >&2; exit 2; }
[[ "$INTERVAL" =~ ^[0-9]+$ ]] || { echo "HEALTH_INTERVAL must be a whole number of seconds" >&2; exit 2; }
URL="$BASE_URL${API_V1_STR:-/api/v1}/health"

body=""
for ((attempt = 1; attempt <= ATTEMPTS; attempt++)); do
  status=""
  # No --fail: an unhealthy origin answers 503 with the same JSON report, which says what is down.
  if body="$(curl --silent --show-error --max-time 10 --header 'Accept: application/json' "$URL" 2>&1)"; then
    status="$(jq -r 'if type == "object" then .status // "" else "" end' <<<"$body" 2>/dev/null || true)"
  fi
  if [ -n "$status" ] && [[ " $ACCEPT " == *" $status "* ]]; then
    echo "$status: $URL (version $(jq -r '.version // "?"' <<<"$body"), attempt $attempt)"
    exit 0
  fi
  echo "attempt $attempt/$ATTEMPTS: ${status:-no health report}" >&2
  [ "$attempt" -eq "$ATTEMPTS" ] || sleep "$INTERVAL"
done
echo "not healthy after $ATTEMPTS attempts: $URL; last answer: ${body:0:600}" >&2
exit 1
