// Alertmanager as the compose monitoring profile runs it: render-config.sh writes the config from ALERT_*
// variables, amtool accepts every combination, and the real Alertmanager binary routes a warning to the chat
// channels (Discord, Slack) only and a critical alert also to e-mail and PagerDuty (Events API v2), each a real
// local receiver. CI installs prometheus-alertmanager; elsewhere the suite skips with a warning.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary } from '../support/binaries.ts';
import { freePort } from '../support/ports.ts';
import { spawnTestProcess, type TestProcess } from '../support/processes.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const renderScript = join(root, 'docker/monitoring/alertmanager/render-config.sh');
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const amtool = findBinary('amtool');
const alertmanagerBinary = findBinary('prometheus-alertmanager') ?? findBinary('alertmanager');
if ((!amtool || !alertmanagerBinary) && !inCi)
  console.warn('[alertmanager] SKIPPING: apt-get install --no-install-recommends prometheus-alertmanager');

const tmp = mkdtempSync(join(tmpdir(), 'app-server-alertmanager-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let renders = 0;
async function render(env: Record<string, string>) {
  const out = join(tmp, `alertmanager-${++renders}.yml`);
  // busybox sh in the container; dash here is as strict.
  const { stderr } = await run('sh', [renderScript, out], { env: { PATH: process.env.PATH!, ...env } });
  return { path: out, text: readFileSync(out, 'utf8'), stderr };
}

describe.skipIf((!amtool || !alertmanagerBinary) && !inCi)('Alertmanager config and routing', () => {
  it('has amtool and alertmanager (CI installs prometheus-alertmanager)', () => {
    expect(amtool).toBeDefined();
    expect(alertmanagerBinary).toBeDefined();
  });

  it('renders a valid config for no channel, one channel and all of them, quoting values', async () => {
    const none = await render({});
    expect(none.stderr).toContain('no ALERT_* channel is set');
    await run(amtool!, ['check-config', none.path]);

    const discordOnly = await render({
      ALERT_DISCORD_WEBHOOK_URL: 'https://discord.example/api/webhooks/1/x',
    });
    await run(amtool!, ['check-config', discordOnly.path]);
    expect(discordOnly.text).not.toContain('slack_configs');

    const all = await render({
      ALERT_DISCORD_WEBHOOK_URL: 'https://discord.example/api/webhooks/1/x"y',
      ALERT_SLACK_WEBHOOK_URL: 'https://hooks.slack.example/services/T/B/x',
      ALERT_EMAIL_TO: 'ops@example.org',
      ALERT_EMAIL_FROM: 'alertmanager@example.org',
      ALERT_SMTP_SMARTHOST: 'smtp.example.org:587',
      ALERT_SMTP_USERNAME: 'alerts',
      ALERT_SMTP_PASSWORD: 'p\\a"ss',
      ALERT_PAGERDUTY_ROUTING_KEY: 'routing-key-1',
    });
    const { stdout } = await run(amtool!, ['check-config', all.path]);
    expect(stdout).toContain('2 receivers');
    expect(all.text).toContain('webhook_url: "https://discord.example/api/webhooks/1/x\\"y"');
    expect(all.text).toContain('auth_password: "p\\\\a\\"ss"');
  });

  it('refuses e-mail without a sender or smarthost, a malformed duration and a value with a line break', async () => {
    await expect(
      render({ ALERT_SLACK_WEBHOOK_URL: 'https://hooks.slack.example/x\n  injected: true' }),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('ALERT_SLACK_WEBHOOK_URL contains a line break'),
    });
    await expect(render({ ALERT_EMAIL_TO: 'ops@example.org' })).rejects.toMatchObject({
      stderr: expect.stringContaining('ALERT_EMAIL_FROM'),
    });
    await expect(render({ ALERT_GROUP_WAIT: '30 seconds' })).rejects.toMatchObject({
      stderr: expect.stringContaining('ALERT_GROUP_WAIT'),
    });
  });

  describe('the real Alertmanager', () => {
    let receiver: WebhookReceiver;
    let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
    let alertmanager: TestProcess;
    let url: string;

    beforeAll(async () => {
      receiver = await startWebhookReceiver();
      smtp = await startSmtpSink({ user: 'alerts', pass: 'smtp-secret' });
      const config = await render({
        ALERT_DISCORD_WEBHOOK_URL: receiver.url('/discord'),
        ALERT_SLACK_WEBHOOK_URL: receiver.url('/slack'),
        ALERT_EMAIL_TO: 'ops@example.org',
        ALERT_EMAIL_FROM: 'alertmanager@example.org',
        ALERT_SMTP_SMARTHOST: `127.0.0.1:${smtp.port}`,
        ALERT_SMTP_USERNAME: 'alerts',
        ALERT_SMTP_PASSWORD: 'smtp-secret',
        ALERT_SMTP_REQUIRE_TLS: 'false',
        ALERT_PAGERDUTY_ROUTING_KEY: 'routing-key-1',
        ALERT_PAGERDUTY_URL: receiver.url('/pagerduty'),
        ALERT_GROUP_WAIT: '1s',
      });
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      alertmanager = spawnTestProcess(
        alertmanagerBinary!,
        [
          `--config.file=${config.path}`,
          `--storage.path=${join(tmp, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--cluster.listen-address=',
        ],
        { cwd: tmp, env: { PATH: process.env.PATH! } },
      );
      await alertmanager.waitForOutput(/Listening on/, 30_000);
    });
    afterAll(async () => {
      await alertmanager?.stop();
      await receiver?.close();
      await smtp?.close();
    });

    const post = async (
      alerts: { labels: Record<string, string>; annotations: Record<string, string> }[],
    ) => {
      const response = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      expect(response.status).toBe(200);
    };
    /** Waits (bounded) until `condition` holds; Alertmanager delivers after its group_wait. */
    const eventually = async (condition: () => boolean) => {
      for (let attempt = 0; attempt < 300 && !condition(); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return condition();
    };
    const paths = (prefix: string) => receiver.received.filter((r) => r.path === prefix);

    it('sends a warning to Discord and Slack only', async () => {
      await post([
        {
          labels: { alertname: 'ScheduleLagHigh', severity: 'warning', instance: 'api-1:9464' },
          annotations: { summary: 'Scheduled runs start late', description: 'p95 lag 4m 48s' },
        },
      ]);
      expect(await eventually(() => paths('/discord').length >= 1 && paths('/slack').length >= 1)).toBe(true);
      expect(paths('/discord')[0]!.body).toContain('ScheduleLagHigh');
      const slack = JSON.parse(paths('/slack')[0]!.body);
      expect(slack.channel).toBe('#alerts');
      expect(JSON.stringify(slack.attachments)).toContain('Scheduled runs start late');
      expect(paths('/pagerduty')).toHaveLength(0);
      expect(smtp.received).toHaveLength(0);
    });

    it('pages a critical alert through e-mail and PagerDuty as well', async () => {
      await post([
        {
          labels: { alertname: 'AppDatabaseDown', severity: 'critical', instance: 'api-1:9464' },
          annotations: { summary: 'api-1:9464 cannot reach the app database', description: 'probe failing' },
        },
      ]);
      expect(await eventually(() => paths('/pagerduty').length >= 1 && smtp.received.length >= 1)).toBe(true);
      const event = JSON.parse(paths('/pagerduty')[0]!.body);
      expect(event).toMatchObject({ routing_key: 'routing-key-1', event_action: 'trigger' });
      expect(event.dedup_key).toEqual(expect.any(String));
      expect(event.payload.summary).toContain('AppDatabaseDown');
      expect(smtp.received[0]!.user).toBe('alerts');
      expect(smtp.received[0]!.to).toEqual(['ops@example.org']);
      expect(smtp.received[0]!.raw).toContain('AppDatabaseDown');
      expect(paths('/discord').some((r) => r.body.includes('AppDatabaseDown'))).toBe(true);
    });
  });
});
