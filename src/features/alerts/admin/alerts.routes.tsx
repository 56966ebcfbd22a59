// The alerts page: open incidents, channels (create, send a test, enable/disable: admins) and the latest
// deliveries. Every change goes through the alerts service, so it is validated and audited like the API.
import type { Hono } from 'hono';
import { AlertsPage, type ChannelFormValues } from '../../../../views/pages/alerts-page.tsx';
import { withNotice } from '../../../admin/navigation.ts';
import { type AdminContext, type AdminKit, chromeFor, requireAdminRole } from '../../../admin/page.ts';
import { ALERT_CHANNEL_KINDS } from '../../../db/schema/index.ts';
import { AppError } from '../../../http/errors.ts';
import type { AppBindings } from '../../../http/types.ts';
import type { ValidationIssue } from '../../../http/validation.ts';
import { SUBSCRIBABLE_EVENTS } from '../alerts.schemas.ts';

const emptyForm = (): ChannelFormValues => ({
  name: '',
  kind: 'webhook',
  email_to: '',
  email_from: '',
  events: [...SUBSCRIBABLE_EVENTS],
});

async function renderAlerts(
  c: AdminContext,
  kit: AdminKit,
  form: ChannelFormValues = emptyForm(),
  formErrors: Record<string, string[]> = {},
  status: 200 | 422 = 200,
) {
  const service = c.var.deps.alerts;
  const [channels, deliveries, incidents] = await Promise.all([
    service.listChannels({ page: 1, page_size: 100 }),
    service.listDeliveries({ page: 1, page_size: 25 }),
    service.listIncidents({ page: 1, page_size: 50, open: true }),
  ]);
  return c.html(
    <AlertsPage
      chrome={await chromeFor(c)}
      assetVersion={kit.assetVersion}
      channels={channels.items}
      deliveries={deliveries.items}
      incidents={incidents.items}
      kinds={ALERT_CHANNEL_KINDS}
      events={SUBSCRIBABLE_EVENTS}
      form={form}
      formErrors={formErrors}
    />,
    status,
  );
}

export function registerAlertsPages(admin: Hono<AppBindings>, kit: AdminKit) {
  admin.get('/alerts', (c) => renderAlerts(c, kit));

  admin.post('/alerts/channels', async (c) => {
    requireAdminRole(c, 'admin');
    const form = await c.req.formData();
    const text = (name: string) => {
      const value = form.get(name);
      return typeof value === 'string' ? value.trim() : '';
    };
    const values: ChannelFormValues = {
      name: text('name'),
      kind: text('kind'),
      email_to: text('email_to'),
      email_from: text('email_from'),
      events: form.getAll('events').filter((value): value is string => typeof value === 'string'),
    };
    const input = {
      name: values.name,
      kind: values.kind,
      url: text('url'),
      events: values.events,
      ...(text('signing_secret') ? { signing_secret: text('signing_secret') } : {}),
      ...(values.email_to
        ? {
            email_to: values.email_to
              .split(',')
              .map((address) => address.trim())
              .filter(Boolean),
          }
        : {}),
      ...(values.email_from ? { email_from: values.email_from } : {}),
    };
    try {
      await c.var.deps.alerts.createChannel(input as never, kit.actor(c));
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 403) throw error;
      const errors: Record<string, string[]> = {};
      if (Array.isArray(error.detail)) {
        for (const issue of error.detail as ValidationIssue[]) {
          const field = (issue.path ?? '').split('.')[0] || 'form';
          errors[field] = [...(errors[field] ?? []), issue.message];
        }
      } else errors.form = [error.message];
      return renderAlerts(c, kit, values, errors, 422);
    }
    return c.redirect(withNotice('/admin/alerts', 'channel-created'), 303);
  });

  admin.post('/alerts/channels/:id/test', async (c) => {
    requireAdminRole(c, 'admin');
    await c.var.deps.alerts.sendTestAlert(c.req.param('id'), kit.actor(c));
    return c.redirect(withNotice('/admin/alerts', 'channel-tested'), 303);
  });

  admin.post('/alerts/channels/:id/enabled', async (c) => {
    requireAdminRole(c, 'admin');
    const body = await c.req.parseBody();
    const enabled = body.enabled === 'true';
    const version = Number(body.version);
    await c.var.deps.alerts.updateChannel(
      c.req.param('id'),
      { enabled, version: Number.isInteger(version) ? version : -1 },
      kit.actor(c),
    );
    return c.redirect(withNotice('/admin/alerts', enabled ? 'channel-enabled' : 'channel-disabled'), 303);
  });
}
