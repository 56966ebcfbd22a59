#!/bin/sh
# Writes Alertmanager's config from the environment, so no webhook URL or password is ever in a file of the
# repository (Alertmanager itself cannot read variables). Runs in the alertmanager container before it starts
# (busybox sh + sed), and in test/integration/alertmanager.test.ts with the real binary.
# Usage: render-config.sh OUT_FILE
#   Routing: every alert goes to `chat` (Discord, Slack); severity=critical goes to `page` (the chat channels,
#   e-mail and PagerDuty). Integrations without settings are left out; with none at all alerts are only
#   shown in Alertmanager's UI (a warning says so).
#   ALERT_DISCORD_WEBHOOK_URL  Discord channel webhook
#   ALERT_SLACK_WEBHOOK_URL    Slack incoming webhook; ALERT_SLACK_CHANNEL (default #alerts)
#   ALERT_EMAIL_TO             comma-separated recipients of critical alerts; ALERT_EMAIL_FROM,
#   ALERT_SMTP_SMARTHOST (host:port), ALERT_SMTP_USERNAME, ALERT_SMTP_PASSWORD,
#   ALERT_SMTP_REQUIRE_TLS (default true)
#   ALERT_PAGERDUTY_ROUTING_KEY  Events API v2 integration key for critical alerts
#   ALERT_GROUP_WAIT (default 30s), ALERT_REPEAT_INTERVAL (default 4h)
# docs/operations/alerts.md
set -eu

out="${1:?usage: render-config.sh OUT_FILE}"

# A YAML double-quoted scalar: backslashes and quotes escaped, so a value cannot add keys.
q() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
duration() {
  case "$1" in
    *[!0-9smhd]* | "") echo "render-config: $2 must be a duration like 30s, 5m or 4h (got '$1')" >&2; exit 1 ;;
  esac
  printf '%s' "$1"
}

# A line break has no place in a URL, address or key; refusing it keeps every value on its own line.
nl='
'
for name in ALERT_DISCORD_WEBHOOK_URL ALERT_SLACK_WEBHOOK_URL ALERT_SLACK_CHANNEL ALERT_EMAIL_TO ALERT_EMAIL_FROM \
  ALERT_SMTP_SMARTHOST ALERT_SMTP_USERNAME ALERT_SMTP_PASSWORD ALERT_PAGERDUTY_ROUTING_KEY ALERT_PAGERDUTY_URL; do
  value=""
  eval "value=\${$name:-}"
  case "$value" in *"$nl"*) echo "render-config: $name contains a line break" >&2; exit 1 ;; esac
done

group_wait="$(duration "${ALERT_GROUP_WAIT:-30s}" ALERT_GROUP_WAIT)"
repeat_interval="$(duration "${ALERT_REPEAT_INTERVAL:-4h}" ALERT_REPEAT_INTERVAL)"

chat_integrations() {
  if [ -n "${ALERT_DISCORD_WEBHOOK_URL:-}" ]; then
    printf '    discord_configs:\n      - webhook_url: %s\n        send_resolved: true\n' "$(q "$ALERT_DISCORD_WEBHOOK_URL")"
  fi
  if [ -n "${ALERT_SLACK_WEBHOOK_URL:-}" ]; then
    printf '    slack_configs:\n      - api_url: %s\n        channel: %s\n        send_resolved: true\n' \
      "$(q "$ALERT_SLACK_WEBHOOK_URL")" "$(q "${ALERT_SLACK_CHANNEL:-#alerts}")"
    printf '        title: %s\n        text: %s\n' \
      "$(q '{{ .Status | toUpper }} {{ .CommonLabels.alertname }} ({{ .CommonLabels.severity }})')" \
      "$(q '{{ range .Alerts }}{{ .Annotations.summary }}: {{ .Annotations.description }}{{ "\n" }}{{ end }}')"
  fi
}

page_integrations() {
  chat_integrations
  if [ -n "${ALERT_EMAIL_TO:-}" ]; then
    : "${ALERT_EMAIL_FROM:?ALERT_EMAIL_TO is set, so ALERT_EMAIL_FROM is required}"
    : "${ALERT_SMTP_SMARTHOST:?ALERT_EMAIL_TO is set, so ALERT_SMTP_SMARTHOST (host:port) is required}"
    require_tls="${ALERT_SMTP_REQUIRE_TLS:-true}"
    case "$require_tls" in true | false) ;; *) echo "render-config: ALERT_SMTP_REQUIRE_TLS must be true or false" >&2; exit 1 ;; esac
    printf '    email_configs:\n      - to: %s\n        from: %s\n        smarthost: %s\n        require_tls: %s\n        send_resolved: true\n' \
      "$(q "$ALERT_EMAIL_TO")" "$(q "$ALERT_EMAIL_FROM")" "$(q "$ALERT_SMTP_SMARTHOST")" "$require_tls"
    if [ -n "${ALERT_SMTP_USERNAME:-}" ]; then
      printf '        auth_username: %s\n        auth_password: %s\n' \
        "$(q "$ALERT_SMTP_USERNAME")" "$(q "${ALERT_SMTP_PASSWORD:-}")"
    fi
  fi
  if [ -n "${ALERT_PAGERDUTY_ROUTING_KEY:-}" ]; then
    printf '    pagerduty_configs:\n      - routing_key: %s\n        send_resolved: true\n' "$(q "$ALERT_PAGERDUTY_ROUTING_KEY")"
    if [ -n "${ALERT_PAGERDUTY_URL:-}" ]; then printf '        url: %s\n' "$(q "$ALERT_PAGERDUTY_URL")"; fi
  fi
}

if [ -z "${ALERT_DISCORD_WEBHOOK_URL:-}${ALERT_SLACK_WEBHOOK_URL:-}${ALERT_EMAIL_TO:-}${ALERT_PAGERDUTY_ROUTING_KEY:-}" ]; then
  echo "render-config: no ALERT_* channel is set; alerts show in Alertmanager's UI only" >&2
fi

umask 077
{
  cat <<YAML
# Rendered by render-config.sh from ALERT_* variables; do not edit (edit the variables).
global:
  resolve_timeout: 5m
route:
  receiver: chat
  group_by: [alertname, function, instance]
  group_wait: $group_wait
  group_interval: 5m
  repeat_interval: $repeat_interval
  routes:
    - receiver: page
      matchers: ['severity="critical"']
      repeat_interval: 1h
inhibit_rules:
  # A page on one instance silences the warnings it causes there.
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [instance]
  - source_matchers: ['alertname="OriginAbsent"']
    target_matchers: ['alertname="OriginDown"']
  # Without the app DB nothing is claimed and the API fails: one page, not three.
  - source_matchers: ['alertname="AppDatabaseDown"']
    target_matchers: ['alertname=~"JobsOverdue|HighErrorRate|ScheduleLagHigh"']
receivers:
  - name: chat
YAML
  chat_integrations
  echo "  - name: page"
  page_integrations
} >"$out"
