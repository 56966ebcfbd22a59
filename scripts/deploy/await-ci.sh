#!/usr/bin/env bash
# Waits for the ci workflow's run on one commit (the test suite) and exits 0 only when it succeeded, so no
# environment receives an image whose tests failed. Needs the gh CLI with GH_TOKEN (actions: read).
# Usage: scripts/deploy/await-ci.sh COMMIT_SHA
#   CI_WORKFLOW        the workflow file (default ci.yml)
#   AWAIT_CI_ATTEMPTS  polls (default 240)   AWAIT_CI_INTERVAL  seconds between polls (default 20)
set -euo pipefail

SHA="${1:?usage: await-ci.sh COMMIT_SHA}"
WORKFLOW="${CI_WORKFLOW:-ci.yml}"
ATTEMPTS="${AWAIT_CI_ATTEMPTS:-240}"
INTERVAL="${AWAIT_CI_INTERVAL:-20}"

for ((attempt = 1; attempt <= ATTEMPTS; attempt++)); do
  run="$(gh run list --workflow "$WORKFLOW" --commit "$SHA" --limit 1 \
    --json status,conclusion,url --jq '.[0] // empty | "\(.status) \(.conclusion) \(.url)"')"
  read -r status conclusion url <<<"${run:-none none none}"
  if [ "$status" = completed ]; then
    if [ "$conclusion" = success ]; then
      echo "$WORKFLOW passed on $SHA: $url"
      exit 0
    fi
    echo "$WORKFLOW did not pass on $SHA ($conclusion): $url" >&2
    exit 1
  fi
  echo "attempt $attempt/$ATTEMPTS: $WORKFLOW on $SHA is ${status}" >&2
  [ "$attempt" -eq "$ATTEMPTS" ] || sleep "$INTERVAL"
done
echo "$WORKFLOW never completed on $SHA" >&2
exit 1
