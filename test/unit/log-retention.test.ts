// The seed's log retention tiers (004 §3: 7 days everything, 30 days errors, 90 days audit) as shipped in
// docker/monitoring/loki/loki.yml, and Promtail's labels they select on (docker/monitoring/promtail/promtail.yml):
// every tier Loki keeps longer is a value Promtail's template can produce, and compose mounts both files.
// (No Loki binary exists here; the real loki -verify-config runs where the image does.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const loki = parse(read('docker/monitoring/loki/loki.yml'));
const promtail = parse(read('docker/monitoring/promtail/promtail.yml'));
const HOUR = 1;
const DAY = 24 * HOUR;

const hours = (duration: string) => {
  const match = /^(\d+)h$/.exec(duration);
  if (!match) throw new Error(`not a duration in hours: ${duration}`);
  return Number(match[1]);
};

describe('log retention tiers', () => {
  it('Loki deletes with the compactor: 7 days by default, 30 for errors, 90 for the audit trail', () => {
    expect(loki.compactor.retention_enabled).toBe(true);
    expect(loki.compactor.delete_request_store).toBe('filesystem');
    expect(hours(loki.limits_config.retention_period)).toBe(7 * DAY);
    const streams = loki.limits_config.retention_stream as {
      selector: string;
      priority: number;
      period: string;
    }[];
    const bySelector = Object.fromEntries(streams.map((s) => [s.selector, hours(s.period)]));
    expect(bySelector).toEqual({ '{tier="audit"}': 90 * DAY, '{tier="error"}': 30 * DAY });
    // The longer tier wins where both could match.
    const audit = streams.find((s) => s.selector.includes('audit'))!;
    const error = streams.find((s) => s.selector.includes('error'))!;
    expect(audit.priority).toBeGreaterThan(error.priority);
  });

  it('Promtail labels every line with a tier Loki knows, from the origin’s level and request method', () => {
    const [job] = promtail.scrape_configs;
    const stages = job.pipeline_stages as Record<string, unknown>[];
    const json = stages.find((s) => 'json' in s)!.json as { expressions: Record<string, string> };
    expect(json.expressions).toMatchObject({ level: 'level', msg: 'msg', method: 'method' });
    const template = stages.find((s) => 'template' in s)!.template as { source: string; template: string };
    expect(template.source).toBe('tier');
    const produced = [...template.template.matchAll(/\}\}(\w+)\{\{/g)].map((m) => m[1]);
    expect(produced.sort()).toEqual(['all', 'audit', 'error']);
    expect(template.template).toContain('ge (int .level) 50');
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'])
      expect(template.template).toContain(`"${method}"`);
    const labels = stages.find((s) => 'labels' in s)!.labels as Record<string, unknown>;
    expect(Object.keys(labels)).toEqual(expect.arrayContaining(['tier', 'level']));
    // Every tier Loki keeps apart is one Promtail sets.
    for (const stream of loki.limits_config.retention_stream as { selector: string }[]) {
      const value = /tier="(\w+)"/.exec(stream.selector)?.[1];
      expect(produced).toContain(value);
    }
    expect(promtail.clients[0].url).toBe('http://loki:3100/loki/api/v1/push');
  });

  it('compose runs both in the logs profile with these files', () => {
    const compose = parse(read('docker/compose.base.yml'));
    expect(compose.services.loki.profiles).toEqual(['logs']);
    expect(compose.services.loki.volumes).toContain('./monitoring/loki/loki.yml:/etc/loki/loki.yml:ro');
    expect(compose.services.promtail.volumes).toEqual(
      expect.arrayContaining([
        './monitoring/promtail/promtail.yml:/etc/promtail/promtail.yml:ro',
        '/var/run/docker.sock:/var/run/docker.sock:ro',
      ]),
    );
  });
});
