// Channels: where alerts go. Created and edited through the API and the admin UI (audited, optimistic
// concurrency); their URL and signing secret are sealed and write-only.
import type { Actor } from '../../audit/record-audit.ts';
import { recordAudit } from '../../audit/record-audit.ts';
import type { SqlExecutor } from '../../db/index.ts';
import { pageWindow } from '../../db/pagination.ts';
import { AppError } from '../../http/errors.ts';
import { assertId, nameTaken } from '../../http/resource-errors.ts';
import { parseOrThrow } from '../../http/validation.ts';
import { mergeSecretInput, sealSecrets } from '../../secrets/schema-secrets.ts';
import { isSealedSecret } from '../../secrets/secret-box.ts';
import type { Page } from '../jobs/jobs.schemas.ts';
import { jobExists } from '../jobs/jobs.sql.ts';
import type { AlertsContext } from './alerts.context.ts';
import { toChannel } from './alerts.mapping.ts';
import {
  type Channel,
  type ChannelCreate,
  ChannelCreateSchema,
  ChannelSecretsSchema,
  type ChannelUpdate,
  ChannelUpdateSchema,
  type Delivery,
} from './alerts.schemas.ts';
import * as sql from './alerts.sql.ts';
import type { Deliveries } from './deliveries.ts';
import type { EmailSettings } from './email.ts';

const CHANNEL_INVALID = 'The alert channel is not valid';

function invalid(path: string, message: string): never {
  throw new AppError(422, 'validation_error', CHANNEL_INVALID, [
    { location: 'body', path, message, code: 'custom' },
  ]);
}

/** What each kind needs beyond the schema: the URL scheme, a signing secret, recipients. */
function checkKind(
  kind: string,
  channel: { url?: string | undefined; hasSigningSecret: boolean; to?: string[]; from?: string },
) {
  const scheme = channel.url ? new URL(channel.url).protocol : undefined;
  if (kind === 'email') {
    if (scheme && scheme !== 'smtp:' && scheme !== 'smtps:') {
      invalid('url', 'an e-mail channel needs an smtp:// or smtps:// URL');
    }
    if (!channel.to?.length) invalid('email_to', 'an e-mail channel needs at least one recipient');
    if (!channel.from) invalid('email_from', 'an e-mail channel needs a sender address');
    return;
  }
  if (scheme && scheme !== 'http:' && scheme !== 'https:')
    invalid('url', `a ${kind} channel needs an http(s) URL`);
  if (kind === 'pagerduty' && !channel.hasSigningSecret) {
    invalid(
      'signing_secret',
      'a PagerDuty channel needs its integration key (Events API v2 routing key) as signing_secret',
    );
  }
  if (kind === 'webhook' && !channel.hasSigningSecret) {
    invalid(
      'signing_secret',
      'a generic webhook needs a signing secret (16+ characters) receivers verify with',
    );
  }
}

export function createChannels(ctx: AlertsContext, deliveries: Deliveries) {
  const { db, secrets } = ctx;

  async function lockChannel(tx: SqlExecutor, id: string): Promise<sql.ChannelRow> {
    assertId(id, 'alert channel');
    const row = await sql.selectChannel(tx, id, { lock: true });
    if (!row) throw new AppError(404, 'not_found', `No alert channel ${id}`);
    return row;
  }

  async function assertJob(tx: SqlExecutor, jobId: string | null | undefined) {
    if (jobId && !(await jobExists(tx, jobId))) invalid('job_id', `no job ${jobId}`);
  }

  return {
    async listChannels(
      query: { page?: number; page_size?: number; job_id?: string } = {},
    ): Promise<Page<Channel>> {
      const page = query.page ?? 1;
      const { limit: pageSize } = pageWindow(page, query.page_size ?? 50);
      if (query.job_id) assertId(query.job_id, 'job');
      const { rows, total } = await sql.selectChannelPage(db, query.job_id, page, pageSize);
      return { items: rows.map(toChannel), total, page, page_size: pageSize };
    },

    async getChannel(id: string): Promise<Channel> {
      assertId(id, 'alert channel');
      const row = await sql.selectChannel(db, id);
      if (!row) throw new AppError(404, 'not_found', `No alert channel ${id}`);
      return toChannel(row);
    },

    async createChannel(input: ChannelCreate, actor: Actor): Promise<Channel> {
      const data = parseOrThrow<ReturnType<typeof ChannelCreateSchema.parse>>(
        ChannelCreateSchema,
        input,
        CHANNEL_INVALID,
      );
      checkKind(data.kind, {
        url: data.url,
        hasSigningSecret: !!data.signing_secret,
        to: data.email_to,
        from: data.email_from,
      });
      const settings = data.kind === 'email' ? { to: data.email_to, from: data.email_from } : {};
      const sealed = sealSecrets(
        ChannelSecretsSchema,
        { url: data.url, ...(data.signing_secret ? { signing_secret: data.signing_secret } : {}) },
        secrets,
      ) as Record<string, unknown>;
      return db
        .transaction(async (tx) => {
          await assertJob(tx, data.job_id);
          const row = await sql.insertChannel(
            tx,
            {
              name: data.name,
              kind: data.kind,
              jobId: data.job_id,
              events: data.events,
              enabled: data.enabled,
              secrets: sealed,
              urlHost: new URL(data.url).host,
              settings,
            },
            actor.subject,
          );
          const channel = toChannel(row);
          await recordAudit(tx, actor, {
            action: 'alert_channel.create',
            targetType: 'alert_channel',
            targetId: channel.id,
            after: channel,
          });
          return channel;
        })
        .catch(nameTaken('An alert channel', data.name));
    },

    /** Fields left out keep their value; the URL and signing secret are kept unless resent. */
    async updateChannel(id: string, input: ChannelUpdate, actor: Actor): Promise<Channel> {
      const data = parseOrThrow<ReturnType<typeof ChannelUpdateSchema.parse>>(
        ChannelUpdateSchema,
        input,
        CHANNEL_INVALID,
      );
      return db
        .transaction(async (tx) => {
          const row = await lockChannel(tx, id);
          if (row.version !== data.version) {
            throw new AppError(
              409,
              'version_conflict',
              `The channel was changed by someone else (you edited version ${data.version}; it is now ${row.version})`,
              { current: toChannel(row) },
            );
          }
          const merged = mergeSecretInput(
            ChannelSecretsSchema,
            {
              ...(data.url ? { url: data.url } : {}),
              ...(data.signing_secret ? { signing_secret: data.signing_secret } : {}),
            },
            row.secrets,
          );
          const sealed = sealSecrets(ChannelSecretsSchema, merged, secrets) as Record<string, unknown>;
          const stored = (row.settings ?? {}) as Partial<EmailSettings>;
          const settings =
            row.kind === 'email'
              ? { to: data.email_to ?? stored.to, from: data.email_from ?? stored.from }
              : {};
          checkKind(row.kind, {
            url: data.url,
            hasSigningSecret: isSealedSecret(sealed.signing_secret),
            ...settings,
          });
          if (data.job_id !== undefined) await assertJob(tx, data.job_id);
          const updated = await sql.updateChannel(
            tx,
            id,
            {
              name: data.name ?? row.name,
              jobId: data.job_id === undefined ? row.jobId : data.job_id,
              events: data.events ?? row.events,
              enabled: data.enabled ?? row.enabled,
              secrets: sealed,
              urlHost: data.url ? new URL(data.url).host : row.urlHost,
              settings,
            },
            actor.subject,
          );
          const channel = toChannel(updated);
          await recordAudit(tx, actor, {
            action: 'alert_channel.update',
            targetType: 'alert_channel',
            targetId: id,
            before: toChannel(row),
            after: channel,
          });
          return channel;
        })
        .catch(nameTaken('An alert channel', data.name ?? ''));
    },

    /** Queues a `test` message to one channel and attempts it at once; answers the delivery as it stands. */
    async sendTestAlert(id: string, actor: Actor): Promise<Delivery> {
      const [deliveryId] = await db.transaction(async (tx) => {
        const row = await lockChannel(tx, id);
        await recordAudit(tx, actor, {
          action: 'alert_channel.test',
          targetType: 'alert_channel',
          targetId: id,
          // What was sent, so the row says more than that something happened (no URL: it carries credentials).
          after: { event: 'test', channel: row.name, kind: row.kind },
        });
        return deliveries.enqueue(
          tx,
          {
            event: 'test',
            incident_id: null,
            job: null,
            run_id: null,
            message: `test alert for channel "${row.name}", requested by ${actor.subject}`,
            occurred_at: new Date().toISOString(),
          },
          { channelId: id },
        );
      });
      await deliveries.deliverDue(new Date(), deliveryId);
      return deliveries.getDelivery(deliveryId!);
    },
  };
}
