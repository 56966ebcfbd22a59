#!/usr/bin/env bash
# From CI: deploys an image to the ECS Fargate service of docker/terraform. Registers a revision of the
# service's current task definition with the new image, runs the migrations as a one-off task of that revision
# (same subnets and security groups as the service) and stops on a non-zero exit, then points the service at
# the revision and waits until it is stable (the ALB health check on /healthz decides).
# Usage: scripts/deploy/deploy-ecs.sh IMAGE
#   ECS_CLUSTER, ECS_SERVICE (required), ECS_CONTAINER (default api); AWS credentials from the environment.
# Terraform ignores the service's task_definition, so `terraform apply` never rolls a deploy back.
set -euo pipefail

IMAGE="${1:?usage: deploy-ecs.sh IMAGE}"
die() { echo "deploy-ecs: $*" >&2; exit 1; }
CLUSTER="${ECS_CLUSTER:-}"
SERVICE="${ECS_SERVICE:-}"
CONTAINER="${ECS_CONTAINER:-api}"
[ -n "$CLUSTER" ] || die "ECS_CLUSTER is not set"
[ -n "$SERVICE" ] || die "ECS_SERVICE is not set"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

current="$(aws ecs describe-services --cluster "$CLUSTER" --services "$SERVICE" \
  --query 'services[0].taskDefinition' --output text)"
if [ -z "$current" ] || [ "$current" = None ]; then die "service $SERVICE not found in $CLUSTER"; fi
aws ecs describe-task-definition --task-definition "$current" --query taskDefinition >"$work/current.json"
jq -e --arg name "$CONTAINER" 'any(.containerDefinitions[]; .name == $name)' "$work/current.json" >/dev/null ||
  die "task definition $current has no container named $CONTAINER"
# register-task-definition accepts only the input fields; describe adds read-only ones (arn, revision, status...).
jq --arg name "$CONTAINER" --arg image "$IMAGE" '
  .containerDefinitions |= map(if .name == $name then .image = $image else . end)
  | {family, taskRoleArn, executionRoleArn, networkMode, containerDefinitions, volumes, placementConstraints,
     requiresCompatibilities, cpu, memory, runtimePlatform, ephemeralStorage}
  | with_entries(select(.value != null))' "$work/current.json" >"$work/next.json"
next="$(aws ecs register-task-definition --cli-input-json "file://$work/next.json" \
  --query 'taskDefinition.taskDefinitionArn' --output text)"
echo "registered $next"

network="$(aws ecs describe-services --cluster "$CLUSTER" --services "$SERVICE" \
  --query 'services[0].networkConfiguration' --output json)"
overrides="$(jq -n --arg name "$CONTAINER" \
  '{containerOverrides: [{name: $name, command: ["node", "dist/src/entry/migrate.js"]}]}')"
task="$(aws ecs run-task --cluster "$CLUSTER" --task-definition "$next" --launch-type FARGATE \
  --network-configuration "$network" --overrides "$overrides" --started-by deploy-migrate \
  --query 'tasks[0].taskArn' --output text)"
echo "migrating with $task"
aws ecs wait tasks-stopped --cluster "$CLUSTER" --tasks "$task"
code="$(aws ecs describe-tasks --cluster "$CLUSTER" --tasks "$task" \
  --query "tasks[0].containers[?name=='$CONTAINER'].exitCode | [0]" --output text)"
[ "$code" = 0 ] || die "migration task $task exited with $code; the service still runs $current"

aws ecs update-service --cluster "$CLUSTER" --service "$SERVICE" --task-definition "$next" >/dev/null
echo "waiting for $SERVICE to become stable on $next"
aws ecs wait services-stable --cluster "$CLUSTER" --services "$SERVICE"
echo "deployed $IMAGE to $CLUSTER/$SERVICE"
