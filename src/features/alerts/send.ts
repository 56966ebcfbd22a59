// Sends one alert to one channel over its wire format: signed JSON for generic webhooks, {text} for Slack,
// {content} for Discord, Events API v2 for PagerDuty (the routing key is the channel's sealed signing secret),
// SMTP for e-mail. Throws on anything but success; describeFailure() says why without the
// URL (Slack, Discord and SMTP URLs are credentials). Every channel connects only to checked addresses
// (lib/pinned-fetch): webhooks through the pinned dispatcher, SMTP to the checked IP with the TLS name kept.
import { type OutboundPolicy, pinnedFetch, type ResolveAll } from '../../lib/pinned-fetch.ts';
import { maskSecretsInText } from '../../observability/redact.ts';
import { type EmailSettings, sendAlertEmail } from './email.ts';
import { type AlertEvent, channelBody, pagerDutyBodies } from './messages.ts';
import {
  DELIVERY_HEADER,
  EVENT_HEADER,
  SIGNATURE_HEADER,
  signWebhookBody,
  TIMESTAMP_HEADER,
} from './signature.ts';

export type ChannelKind = 'webhook' | 'slack' | 'discord' | 'email' | 'pagerduty';

export interface AlertTarget {
  kind: ChannelKind;
  /** Opened from the channel's sealed secrets. */
  url: string;
  signingSecret?: string;
  settings: Record<string, unknown>;
}

export interface SendOptions {
  allowPrivate: boolean;
  /** In production ALERTS_ALLOW_PRIVATE never admits loopback or link-local addresses. */
  production: boolean;
  timeoutMs: number;
  /** Name resolution (tests pass one they control); unset: the system resolver. */
  resolve?: ResolveAll;
}

export async function sendAlert(target: AlertTarget, event: AlertEvent, options: SendOptions): Promise<void> {
  const url = new URL(target.url);
  const policy: OutboundPolicy = {
    allowPrivate: options.allowPrivate,
    production: options.production,
    flag: 'ALERTS_ALLOW_PRIVATE',
    resolve: options.resolve,
  };
  if (target.kind === 'email') {
    return sendAlertEmail(target.url, target.settings as unknown as EmailSettings, event, {
      timeoutMs: options.timeoutMs,
      policy,
    });
  }
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'app-server-alerts',
  };
  if (target.kind === 'pagerduty') {
    // In order: a recovery that closed two incidents resolves both; any failure fails (and retries) the delivery.
    for (const body of pagerDutyBodies(event, target.signingSecret ?? '')) {
      await post(url, headers, body, policy, options.timeoutMs);
    }
    return;
  }
  const body = channelBody(target.kind, event);
  if (target.kind === 'webhook') {
    const timestamp = Math.floor(Date.now() / 1000);
    headers[TIMESTAMP_HEADER] = String(timestamp);
    headers[SIGNATURE_HEADER] = signWebhookBody(target.signingSecret ?? '', timestamp, body);
    headers[DELIVERY_HEADER] = event.delivery_id;
    headers[EVENT_HEADER] = event.event;
  }
  await post(url, headers, body, policy, options.timeoutMs);
}

async function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  policy: OutboundPolicy,
  timeoutMs: number,
): Promise<void> {
  // A redirect is answered, never followed: it fails the send like any non-2xx.
  const status = await pinnedFetch(
    url,
    { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) },
    policy,
    async (response) => {
      await response.body?.cancel().catch(() => {});
      return response.status;
    },
  );
  if (status < 200 || status >= 300) throw new Error(`HTTP ${status}`);
}

/** Why a send failed, in a few words and without the URL. */
export function describeFailure(error: unknown): string {
  const err = error as { name?: string; message?: string; code?: unknown; cause?: { code?: string } };
  if (err?.message?.startsWith('HTTP ') || err?.message?.startsWith('refusing ')) return err.message;
  if (err?.name === 'TimeoutError') return 'timed out';
  // fetch puts the system error in cause; nodemailer (EAUTH, ECONNECTION) and a missing key
  // (encryption_key_missing) carry a code of their own. Messages are left out: they can quote URLs.
  const code = err?.cause?.code ?? (typeof err?.code === 'string' ? err.code : undefined);
  return maskSecretsInText(code ?? err?.name ?? 'request failed');
}
