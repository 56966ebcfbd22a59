// Generic webhook signatures: HMAC-SHA256 over `<timestamp>.<raw body>` with the channel's signing secret, sent as
// `X-AppServer-Signature: v1=<hex>` beside `X-AppServer-Timestamp: <unix seconds>`. Receivers recompute it, compare
// in constant time and refuse old timestamps (replays). docs/scheduler/alerts.md shows the check.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-AppServer-Signature';
export const TIMESTAMP_HEADER = 'X-AppServer-Timestamp';
export const DELIVERY_HEADER = 'X-AppServer-Delivery';
export const EVENT_HEADER = 'X-AppServer-Event';

export function signWebhookBody(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The receiver's side, kept here so the docs and the tests describe the same check. */
export function verifyWebhookSignature(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: string,
  options: { toleranceSeconds?: number; now?: Date } = {},
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!headers.signature || !Number.isInteger(timestamp)) return false;
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhookBody(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
