// Deliveries: one message to one channel. Enqueued inside the transaction that decided to alert; claimed with
// SKIP LOCKED and a lease (next_attempt_at), retried with exponential backoff, given up after
// ALERTS_MAX_ATTEMPTS (or at once when the channel was disabled meanwhile).
import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../../db/index.ts';
import { createWhere } from '../../db/where.ts';
import { AppError } from '../../http/errors.ts';
import { assertId } from '../../http/resource-errors.ts';
import { openSecrets } from '../../secrets/schema-secrets.ts';
import type { Page } from '../jobs/jobs.schemas.ts';
import type { AlertsContext } from './alerts.context.ts';
import { toDelivery } from './alerts.mapping.ts';
import { ChannelSecretsSchema, type Delivery, type DeliveryListQuery } from './alerts.schemas.ts';
import * as sql from './alerts.sql.ts';
import type { AlertEvent } from './messages.ts';
import { type AlertTarget, describeFailure, sendAlert } from './send.ts';

const DELIVERY_BATCH = 20;
const MAX_BACKOFF_SECONDS = 3600;

export function createDeliveries(ctx: AlertsContext) {
  const { db, settings, log } = ctx;

  /** One pending delivery per enabled channel that wants the event (global or for this job), or to one channel. */
  async function enqueue(
    tx: SqlExecutor,
    event: Omit<AlertEvent, 'delivery_id'>,
    channelFilter: { channelId?: string } = {},
  ): Promise<string[]> {
    const channelIds = channelFilter.channelId
      ? (await sql.channelExists(tx, channelFilter.channelId))
        ? [channelFilter.channelId]
        : []
      : await sql.selectSubscribedChannelIds(tx, event.job?.id ?? null, event.event);
    const ids: string[] = [];
    for (const channelId of channelIds) {
      const id = randomUUID();
      const payload: AlertEvent = { ...event, delivery_id: id };
      const inserted = await sql.insertDelivery(tx, {
        id,
        channelId,
        // A security incident lives in security_incidents (it has no job): its id travels in the payload only.
        incidentId: event.event === 'security' ? null : event.incident_id,
        jobId: event.job?.id ?? null,
        event: event.event,
        payload: payload as unknown as Record<string, unknown>,
      });
      if (inserted) ids.push(id);
    }
    return ids;
  }

  function targetOf(channel: sql.ChannelRow): AlertTarget {
    const opened = openSecrets(ChannelSecretsSchema, channel.secrets, ctx.secrets) as {
      url: string;
      signing_secret?: string;
    };
    return {
      kind: channel.kind,
      url: opened.url,
      signingSecret: opened.signing_secret,
      settings: channel.settings ?? {},
    };
  }

  /** Claims due deliveries (SKIP LOCKED, with a lease) and sends them; returns how many were attempted. */
  async function deliverDue(now: Date = new Date(), onlyId?: string): Promise<number> {
    const leaseSeconds = Math.ceil((settings.timeoutMs * 2) / 1000);
    const claimed = await sql.claimDueDeliveries(db, now, leaseSeconds, DELIVERY_BATCH, onlyId);
    for (const delivery of claimed) {
      let error: string | undefined;
      try {
        const channel = await sql.selectChannel(db, delivery.channelId);
        if (!channel) throw new Error('channel missing');
        if (!channel.enabled && delivery.event !== 'test') error = 'channel disabled';
        else {
          await sendAlert(targetOf(channel), delivery.payload as unknown as AlertEvent, {
            allowPrivate: settings.allowPrivate,
            production: ctx.config.isProduction,
            timeoutMs: settings.timeoutMs,
          });
        }
      } catch (caught) {
        error = describeFailure(caught);
      }
      const { attempts } = delivery;
      if (error === undefined) {
        await sql.markDeliverySent(db, delivery.id, attempts);
        continue;
      }
      const giveUp = attempts >= settings.maxAttempts || error === 'channel disabled';
      const backoff = Math.min(settings.retryBaseSeconds * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS);
      await sql.markDeliveryFailed(db, {
        id: delivery.id,
        attempts,
        giveUp,
        error,
        now,
        backoffSeconds: backoff,
      });
      log.warn(
        {
          delivery_id: delivery.id,
          channel_id: delivery.channelId,
          event: delivery.event,
          attempts,
          error,
          gave_up: giveUp,
        },
        'alert delivery failed',
      );
    }
    return claimed.length;
  }

  async function getDelivery(id: string): Promise<Delivery> {
    assertId(id, 'delivery');
    const row = await sql.selectDelivery(db, id);
    if (!row) throw new AppError(404, 'not_found', `No delivery ${id}`);
    return toDelivery(row);
  }

  async function listDeliveries(query: DeliveryListQuery = {}): Promise<Page<Delivery>> {
    const q = { page: 1, page_size: 20, ...query };
    const where = createWhere();
    if (q.channel_id) where.add('d.channel_id = ?', q.channel_id);
    if (q.job_id) where.add('d.job_id = ?', q.job_id);
    if (q.status) where.add('d.status = ?', q.status);
    if (q.event) where.add('d.event = ?', q.event);
    const { rows, total } = await sql.selectDeliveryPage(db, where, q.page, q.page_size);
    return { items: rows.map(toDelivery), total, page: q.page, page_size: q.page_size };
  }

  return { enqueue, deliverDue, getDelivery, listDeliveries };
}

export type Deliveries = ReturnType<typeof createDeliveries>;
