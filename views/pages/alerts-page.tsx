// Alerts: the channels (create, send a test, enable/disable), the latest deliveries with their attempts and
// errors, and the incidents still open. Secrets (URLs, signing keys) are write-only: the page shows only the host.

import { DataTable } from '../components/data-table.tsx';
import { formatWhen } from '../components/format.ts';
import { StatusBadge } from '../components/status-badge.tsx';
import { AdminLayout, CsrfField } from '../layouts/admin-layout.tsx';
import type { AlertChannelView, AlertDeliveryView, AlertIncidentView, PageChrome } from '../types.ts';

export interface ChannelFormValues {
  name: string;
  kind: string;
  email_to: string;
  email_from: string;
  events: string[];
}

function ChannelForm(props: {
  csrfToken: string;
  kinds: readonly string[];
  events: readonly string[];
  values: ChannelFormValues;
  errors: Record<string, string[]>;
}) {
  const { values, errors } = props;
  const message = (field: string) =>
    errors[field]?.length ? (
      <p class="field-error" id={`channel-${field}-error`}>
        {errors[field]!.join('; ')}
      </p>
    ) : null;
  const invalid = (field: string) => (errors[field]?.length ? 'true' : undefined);
  const describedBy = (field: string, hint?: string) =>
    [hint, errors[field]?.length ? `channel-${field}-error` : undefined].filter(Boolean).join(' ') ||
    undefined;
  return (
    <form method="post" action="/admin/alerts/channels" class="job-form channel-form" novalidate>
      <CsrfField token={props.csrfToken} />
      <fieldset>
        <legend>New channel</legend>
        {message('form')}
        <div class="grid">
          <div class="field">
            <label for="channel-name">Name</label>
            <input
              id="channel-name"
              name="name"
              value={values.name}
              maxlength={120}
              aria-invalid={invalid('name')}
              aria-describedby={describedBy('name')}
            />
            {message('name')}
          </div>
          <div class="field">
            <label for="channel-kind">Kind</label>
            <select id="channel-kind" name="kind">
              {props.kinds.map((kind) => (
                <option value={kind} selected={values.kind === kind}>
                  {kind}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div class="field">
          <label for="channel-url">URL</label>
          <input
            id="channel-url"
            name="url"
            type="password"
            autocomplete="off"
            aria-invalid={invalid('url')}
            aria-describedby={describedBy('url', 'channel-url-hint')}
          />
          <p class="hint" id="channel-url-hint">
            The webhook, Slack or Discord URL, or for e-mail the SMTP server (smtp://user:pass@host:587).
            Write-only: these URLs carry credentials, so only the host is shown later.
          </p>
          {message('url')}
        </div>
        <div class="grid">
          <div class="field">
            <label for="channel-email-to">E-mail recipients</label>
            <input
              id="channel-email-to"
              name="email_to"
              value={values.email_to}
              aria-invalid={invalid('email_to')}
              aria-describedby={describedBy('email_to', 'channel-email-hint')}
            />
            <p class="hint" id="channel-email-hint">
              E-mail only; separate addresses with commas.
            </p>
            {message('email_to')}
          </div>
          <div class="field">
            <label for="channel-email-from">E-mail sender</label>
            <input
              id="channel-email-from"
              name="email_from"
              value={values.email_from}
              aria-invalid={invalid('email_from')}
              aria-describedby={describedBy('email_from')}
            />
            {message('email_from')}
          </div>
          <div class="field">
            <label for="channel-secret">Signing secret</label>
            <input
              id="channel-secret"
              name="signing_secret"
              type="password"
              autocomplete="new-password"
              aria-invalid={invalid('signing_secret')}
              aria-describedby={describedBy('signing_secret', 'channel-secret-hint')}
            />
            <p class="hint" id="channel-secret-hint">
              Webhook only, optional: at least 16 characters; receivers check the HMAC-SHA256 signature.
            </p>
            {message('signing_secret')}
          </div>
        </div>
        <fieldset class="args-mode">
          <legend>Events</legend>
          {props.events.map((event) => (
            <label for={`channel-event-${event}`}>
              <input
                id={`channel-event-${event}`}
                type="checkbox"
                name="events"
                value={event}
                checked={values.events.includes(event)}
              />{' '}
              {event.replace('_', ' ')}
            </label>
          ))}
        </fieldset>
        {message('events')}
        <div class="form-actions">
          <button type="submit" class="button">
            Create channel
          </button>
        </div>
      </fieldset>
    </form>
  );
}

function ChannelActions(props: { channel: AlertChannelView; csrfToken: string }) {
  const { channel } = props;
  return (
    <div class="row-actions">
      <form method="post" action={`/admin/alerts/channels/${channel.id}/test`} class="inline">
        <CsrfField token={props.csrfToken} />
        <button
          type="submit"
          class="button secondary small"
          aria-label={`Send a test alert to ${channel.name}`}
        >
          Send test
        </button>
      </form>
      <form method="post" action={`/admin/alerts/channels/${channel.id}/enabled`} class="inline">
        <CsrfField token={props.csrfToken} />
        <input type="hidden" name="enabled" value={channel.enabled ? 'false' : 'true'} />
        <input type="hidden" name="version" value={String(channel.version)} />
        <button
          type="submit"
          class="button secondary small"
          aria-label={`${channel.enabled ? 'Disable' : 'Enable'} ${channel.name}`}
        >
          {channel.enabled ? 'Disable' : 'Enable'}
        </button>
      </form>
    </div>
  );
}

export function AlertsPage(props: {
  chrome: PageChrome;
  assetVersion: string;
  channels: AlertChannelView[];
  deliveries: AlertDeliveryView[];
  incidents: AlertIncidentView[];
  kinds: readonly string[];
  events: readonly string[];
  form: ChannelFormValues;
  formErrors: Record<string, string[]>;
}) {
  const { chrome } = props;
  const admin = chrome.can.administer;
  return (
    <AdminLayout title="Alerts" chrome={chrome} section="alerts" assetVersion={props.assetVersion}>
      <h1>Alerts</h1>
      <section aria-labelledby="incidents-title">
        <h2 id="incidents-title">Open incidents</h2>
        <DataTable
          caption="Incidents still open"
          columns={['Job', 'Kind', 'What happened', 'Since']}
          items={props.incidents}
          empty="No open incidents."
          row={(incident) => (
            <tr>
              <th scope="row" data-label="Job">
                <a href={`/admin/jobs/${incident.job_id}`}>{incident.job_name}</a>
              </th>
              <td data-label="Kind">
                <StatusBadge status={incident.kind} />
              </td>
              <td data-label="What happened">{incident.message}</td>
              <td data-label="Since">{formatWhen(incident.opened_at)}</td>
            </tr>
          )}
        />
      </section>
      <section aria-labelledby="channels-title">
        <h2 id="channels-title">Channels</h2>
        <DataTable
          caption="Alert channels"
          columns={['Name', 'Kind', 'Sends to', 'Events', 'Enabled', admin && 'Actions']}
          items={props.channels}
          empty="No channels yet: alerts go nowhere."
          row={(channel) => (
            <tr data-channel={channel.name}>
              <th scope="row" data-label="Name">
                {channel.name}
              </th>
              <td data-label="Kind">{channel.kind}</td>
              <td data-label="Sends to">
                {channel.kind === 'email' ? (channel.email_to ?? []).join(', ') : channel.url_host}
                {channel.job_id ? ' (one job)' : ''}
              </td>
              <td data-label="Events">{channel.events.join(', ')}</td>
              <td data-label="Enabled">{channel.enabled ? 'yes' : 'no'}</td>
              {admin ? (
                <td data-label="Actions">
                  <ChannelActions channel={channel} csrfToken={chrome.csrfToken} />
                </td>
              ) : null}
            </tr>
          )}
        />
        {admin ? (
          <ChannelForm
            csrfToken={chrome.csrfToken}
            kinds={props.kinds}
            events={props.events}
            values={props.form}
            errors={props.formErrors}
          />
        ) : null}
      </section>
      <section aria-labelledby="deliveries-title">
        <h2 id="deliveries-title">Latest deliveries</h2>
        <DataTable
          caption="The latest alert deliveries, newest first"
          columns={['Created', 'Channel', 'Event', 'Job', 'Status', 'Attempts', 'Last error / next try']}
          items={props.deliveries}
          empty="Nothing sent yet."
          row={(delivery) => (
            <tr>
              <td data-label="Created">{formatWhen(delivery.created_at)}</td>
              <th scope="row" data-label="Channel">
                {delivery.channel_name}
              </th>
              <td data-label="Event">{delivery.event}</td>
              <td data-label="Job">{delivery.job_name ?? '—'}</td>
              <td data-label="Status">
                <span
                  class={`badge ${delivery.status === 'sent' ? 'ok' : delivery.status === 'failed' ? 'bad' : 'busy'}`}
                >
                  {delivery.status}
                </span>
              </td>
              <td data-label="Attempts">{delivery.attempts}</td>
              <td data-label="Last error / next try">
                {delivery.last_error ? <code class="clip">{delivery.last_error}</code> : null}
                {delivery.next_attempt_at ? ` next try ${formatWhen(delivery.next_attempt_at)}` : ''}
                {!delivery.last_error && !delivery.next_attempt_at ? '—' : ''}
              </td>
            </tr>
          )}
        />
      </section>
    </AdminLayout>
  );
}
