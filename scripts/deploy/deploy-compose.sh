#!/usr/bin/env bash
# From CI: runs scripts/deploy/compose-release.sh on the environment's compose host over SSH. The host key is
# pinned (DEPLOY_SSH_KNOWN_HOSTS): an unknown or changed key stops the deploy instead of being trusted.
# Usage: scripts/deploy/deploy-compose.sh IMAGE
#   DEPLOY_SSH_HOST, DEPLOY_SSH_USER (default deploy), DEPLOY_SSH_PORT (default 22), DEPLOY_PATH (the checkout
#   on the host, default ~/app-server), DEPLOY_SSH_KNOWN_HOSTS (ssh-keyscan output, checked by a person),
#   DEPLOY_SSH_KEY (secret: the private key)
set -euo pipefail

IMAGE="${1:?usage: deploy-compose.sh IMAGE}"
die() { echo "deploy-compose: $*" >&2; exit 1; }
# Only the characters of an image reference reach the remote shell.
[[ "$IMAGE" =~ ^[A-Za-z0-9][A-Za-z0-9._/:@-]*$ ]] || die "not an image reference: $IMAGE"
[ -n "${DEPLOY_SSH_HOST:-}" ] || die "DEPLOY_SSH_HOST is not set (environment variable)"
[ -n "${DEPLOY_SSH_KEY:-}" ] || die "DEPLOY_SSH_KEY is not set (environment secret)"
[ -n "${DEPLOY_SSH_KNOWN_HOSTS:-}" ] || die "DEPLOY_SSH_KNOWN_HOSTS is not set (ssh-keyscan the host once)"
DEPLOY_PATH="${DEPLOY_PATH:-app-server}"
[[ "$DEPLOY_PATH" =~ ^[A-Za-z0-9._/~-]+$ ]] || die "DEPLOY_PATH has characters a path here should not have"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
umask 077
printf '%s\n' "$DEPLOY_SSH_KEY" >"$work/key"
printf '%s\n' "$DEPLOY_SSH_KNOWN_HOSTS" >"$work/known_hosts"

ssh -i "$work/key" -p "${DEPLOY_SSH_PORT:-22}" \
  -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$work/known_hosts" \
  "${DEPLOY_SSH_USER:-deploy}@$DEPLOY_SSH_HOST" \
  "DEPLOY_PATH=$DEPLOY_PATH bash -s -- $IMAGE" <"$(dirname "$0")/compose-release.sh"
