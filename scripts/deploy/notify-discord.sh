#!/usr/bin/env bash
# Posts one deploy notice to a Discord webhook: outcome, environment, image and the run's link.
# Usage: scripts/deploy/notify-discord.sh OUTCOME ENVIRONMENT IMAGE [RUN_URL]
#   DISCORD_WEBHOOK_URL  the channel's webhook (a secret); without it the notice is skipped, not failed.
# Retries twice on 429/5xx (Discord's rate limit answers 429). docs/deploy/delivery.md
set -euo pipefail

OUTCOME="${1:?usage: notify-discord.sh OUTCOME ENVIRONMENT IMAGE [RUN_URL]}"
ENVIRONMENT="${2:?usage: notify-discord.sh OUTCOME ENVIRONMENT IMAGE [RUN_URL]}"
IMAGE="${3:?usage: notify-discord.sh OUTCOME ENVIRONMENT IMAGE [RUN_URL]}"
RUN_URL="${4:-}"
if [ -z "${DISCORD_WEBHOOK_URL:-}" ]; then
  echo "DISCORD_WEBHOOK_URL is not set: no Discord notice"
  exit 0
fi

case "$OUTCOME" in
  success) icon="✅"; color=3066993 ;;
  cancelled) icon="⏹️"; color=9807270 ;;
  *) icon="❌"; color=15158332 ;;
esac
# jq builds the JSON, so an image name or URL can never break out of a string. allowed_mentions stays empty:
# a deploy notice never pings anyone.
payload="$(jq -n --arg title "$icon deploy $OUTCOME: $ENVIRONMENT" --arg image "$IMAGE" --arg run "$RUN_URL" \
  --argjson color "$color" '{
    allowed_mentions: {parse: []},
    embeds: [{
      title: $title,
      color: $color,
      fields: ([{name: "image", value: ("`" + $image + "`")}] + (if $run == "" then [] else [{name: "run", value: $run}] end))
    }]
  }')"

for attempt in 1 2 3; do
  code="$(curl --silent --show-error --max-time 10 --output /dev/null --write-out '%{http_code}' \
    --header 'Content-Type: application/json' --data "$payload" "$DISCORD_WEBHOOK_URL" || echo 000)"
  case "$code" in
    2??) echo "Discord notice sent ($OUTCOME, $ENVIRONMENT)"; exit 0 ;;
    429 | 5?? | 000) [ "$attempt" -eq 3 ] || sleep "${NOTIFY_RETRY_SECONDS:-2}" ;;
    *) break ;;
  esac
done
# The webhook URL is a secret: never print it.
echo "Discord notice failed (HTTP $code)" >&2
exit 1
