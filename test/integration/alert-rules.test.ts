// The Prometheus side of alerting, with the real promtool: the compose Prometheus config (rules included) is
// valid, the rules pass `promtool check rules` and their unit tests (`promtool test rules`), every alert has a
// unit test, and every origin series a rule reads is one the origin exports (src/observability/metrics.ts).
// CI installs prometheus (promtool); elsewhere the suite skips with a warning.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createMetrics } from '../../src/observability/metrics.ts';
import { findBinary } from '../support/binaries.ts';

const run = promisify(execFile);
const monitoring = join(import.meta.dirname, '../../docker/monitoring');
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const promtool = findBinary('promtool');
if (!promtool && !inCi)
  console.warn('[alert-rules] SKIPPING: apt-get install --no-install-recommends prometheus');

const ruleFiles = readdirSync(join(monitoring, 'rules')).map((name) => join(monitoring, 'rules', name));
const testFiles = readdirSync(join(monitoring, 'tests')).map((name) => join(monitoring, 'tests', name));

interface Rule {
  alert: string;
  expr: string;
  labels: { severity: string };
  annotations: { summary: string; description: string };
}
const rules: Rule[] = ruleFiles.flatMap((file) =>
  (parseYaml(readFileSync(file, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules),
);

describe.skipIf(!promtool && !inCi)('promtool', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'app-server-promtool-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('has promtool (CI installs prometheus)', () => {
    expect(promtool).toBeDefined();
  });

  it('accepts the compose Prometheus config with its rule files', async () => {
    // The config names the rules where compose mounts them; point it at the repository's copy.
    cpSync(join(monitoring, 'rules'), join(tmp, 'rules'), { recursive: true });
    const config = readFileSync(join(monitoring, 'prometheus.yml'), 'utf8');
    expect(config).toContain('/etc/prometheus/rules/*.yml');
    writeFileSync(join(tmp, 'prometheus.yml'), config.replace('/etc/prometheus/rules', join(tmp, 'rules')));
    const { stdout } = await run(promtool!, ['check', 'config', join(tmp, 'prometheus.yml')]);
    expect(stdout).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('passes check rules and the rules’ unit tests', async () => {
    await run(promtool!, ['check', 'rules', ...ruleFiles]);
    const { stdout } = await run(promtool!, ['test', 'rules', ...testFiles]);
    expect(stdout).toContain('SUCCESS');
  });

  it('fails a unit test when a rule changes (the tests are not vacuous)', async () => {
    const broken = join(tmp, 'broken');
    cpSync(join(monitoring, 'rules'), join(broken, 'rules'), { recursive: true });
    cpSync(join(monitoring, 'tests'), join(broken, 'tests'), { recursive: true });
    const file = join(broken, 'rules', 'app-server.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('> 0.05', '> 0.5'));
    const failed = await run(promtool!, ['test', 'rules', join(broken, 'tests', 'app-server.test.yml')]).then(
      () => '',
      (error: { stdout: string; stderr: string }) => error.stdout + error.stderr,
    );
    expect(failed).toContain('alertname: HighErrorRate');
  });
});

describe('alert rules (no promtool needed)', () => {
  it('cover what operators page on, each with a severity, a summary and a unit test', () => {
    const names = rules.map((rule) => rule.alert);
    for (const required of [
      'JobRunsDead',
      'ScheduleLagHigh',
      'JobsOverdue',
      'HighErrorRate',
      'HighLatencyP99',
      'AppDatabaseDown',
      'RedisDown',
      'FilesVolumeFilling',
    ]) {
      expect(names).toContain(required);
    }
    const tested = testFiles.map((file) => readFileSync(file, 'utf8')).join('\n');
    for (const rule of rules) {
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels.severity);
      expect(rule.annotations.summary, rule.alert).toBeTruthy();
      expect(tested, `${rule.alert} has a promtool test`).toContain(`alertname: ${rule.alert}\n`);
    }
  });

  it('read only series the origin exports (plus the exporters’ pg_*, redis_* and up)', async () => {
    const exported = new Set(
      (await createMetrics().registry.getMetricsAsJSON()).map((metric) => metric.name as string),
    );
    const checked = new Set<string>();
    for (const rule of rules) {
      const series = [
        ...rule.expr.matchAll(/\b([a-z_]+(?:_total|_seconds|_bytes|_up|_overdue|_busy|_max)\w*)\b/g),
      ]
        .map((m) => m[1]!.replace(/_(bucket|count|sum)$/, ''))
        .filter((name) => !/^(pg_|redis_)/.test(name));
      for (const name of series) {
        expect(exported, `${rule.alert} reads ${name}`).toContain(name);
        checked.add(name);
      }
    }
    expect([...checked].sort()).toEqual([
      'app_dependency_up',
      'db_pool_connections_busy',
      'db_pool_connections_max',
      'files_volume_available_bytes',
      'files_volume_size_bytes',
      'http_request_duration_seconds',
      'http_requests_total',
      'job_runs_total',
      'job_schedule_lag_seconds',
      'scheduler_jobs_overdue',
    ]);
  });
});
