#!/usr/bin/env bash
# Runs ON the compose host (docker/compose.aws.yml): pulls one image, migrates with it, then replaces the api
# containers and restarts nginx (it resolves the replicas at start). The previous image is kept in
# .deployed-image.previous for a rollback: scripts/deploy/compose-release.sh "$(cat .deployed-image.previous)".
# Usage: scripts/deploy/compose-release.sh IMAGE
#   DEPLOY_PATH    the checkout on the host (default: the current folder)
#   ENV_FILE       the origin's env file (default .env.aws)
#   API_REPLICAS   api containers to run (default 1)
# The host must be logged in to the registry (docs/deploy/delivery.md).
set -euo pipefail

IMAGE="${1:?usage: compose-release.sh IMAGE}"
cd "${DEPLOY_PATH:-.}"
ENV_FILE="${ENV_FILE:-.env.aws}"
REPLICAS="${API_REPLICAS:-1}"
[ -f "$ENV_FILE" ] || { echo "$ENV_FILE not found in $(pwd)" >&2; exit 1; }
[[ "$REPLICAS" =~ ^[1-9][0-9]*$ ]] || { echo "API_REPLICAS must be a positive whole number" >&2; exit 1; }

# The shell's APP_IMAGE wins over the env file's in compose interpolation.
export APP_IMAGE="$IMAGE"
compose=(docker compose -f docker/compose.base.yml -f docker/compose.aws.yml --env-file "$ENV_FILE")

"${compose[@]}" pull api
# Forward-only migrations under an advisory lock, with the new image, before it serves traffic.
"${compose[@]}" run --rm api node dist/src/entry/migrate.js
"${compose[@]}" up -d --no-build --remove-orphans --scale "api=$REPLICAS"
"${compose[@]}" restart nginx

[ ! -f .deployed-image ] || cp .deployed-image .deployed-image.previous
printf '%s\n' "$IMAGE" >.deployed-image
echo "released $IMAGE"
