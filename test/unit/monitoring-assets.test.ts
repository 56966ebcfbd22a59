// The monitoring profile's files fit together: Prometheus scrapes the origin's /metrics on the compose network,
// Grafana's provisioned datasource is the one every dashboard panel names, and the dashboard shows what
// operators asked for (seeds 001 and 004). The series names are the contract with the /metrics issue.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const monitoring = join(import.meta.dirname, '../../docker/monitoring');
const readYaml = (path: string) => parseYaml(readFileSync(join(monitoring, path), 'utf8'));

interface Panel {
  title: string;
  datasource: { uid: string };
  targets: { expr: string; datasource: { uid: string } }[];
}

describe('monitoring assets', () => {
  it('Prometheus scrapes /metrics of every api replica on the internal metrics listener', () => {
    const config = readYaml('prometheus.yml');
    const app = config.scrape_configs.find((job: { job_name: string }) => job.job_name === 'app-server');
    expect(app.metrics_path).toBe('/metrics');
    const compose = parseYaml(readFileSync(join(monitoring, '../compose.base.yml'), 'utf8'));
    const metricsPort = Number(compose.services.api.environment.METRICS_PORT);
    expect(app.dns_sd_configs[0]).toMatchObject({ names: ['api'], type: 'A', port: metricsPort });
    // Not published: only the compose network reaches it.
    expect(JSON.stringify(compose.services.api.ports ?? [])).not.toContain(String(metricsPort));
  });

  it('the dashboard uses the provisioned datasource and the provider folder compose mounts', () => {
    const datasource = readYaml('grafana/provisioning/datasources/prometheus.yml').datasources[0];
    expect(datasource).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    const provider = readYaml('grafana/provisioning/dashboards/app-server.yml').providers[0];
    expect(provider.options.path).toBe('/var/lib/grafana/dashboards');
    const compose = readFileSync(join(monitoring, '../compose.base.yml'), 'utf8');
    expect(compose).toContain('./monitoring/grafana/dashboards:/var/lib/grafana/dashboards:ro');
    expect(compose).toContain('./monitoring/grafana/provisioning:/etc/grafana/provisioning:ro');

    const dashboards = readdirSync(join(monitoring, 'grafana/dashboards'));
    expect(dashboards.sort()).toEqual(['app-server.json', 'postgres.json', 'redis.json']);
    const uids = new Set<string>();
    for (const file of dashboards) {
      const dashboard = JSON.parse(readFileSync(join(monitoring, 'grafana/dashboards', file), 'utf8'));
      uids.add(dashboard.uid);
      for (const panel of dashboard.panels as Panel[]) {
        expect(panel.datasource.uid, `${file}: ${panel.title}`).toBe(datasource.uid);
        for (const target of panel.targets) expect(target.datasource.uid).toBe(datasource.uid);
      }
    }
    expect(uids.size, 'dashboard uids are distinct').toBe(dashboards.length);
  });

  it('the exporter dashboards read the series the exporters publish, from the jobs Prometheus scrapes', () => {
    const config = readYaml('prometheus.yml');
    const targets = (job: string) =>
      config.scrape_configs.find((c: { job_name: string }) => c.job_name === job).static_configs[0].targets;
    expect(targets('postgres')).toEqual(['postgres-exporter:9187']);
    expect(targets('redis')).toEqual(['redis-exporter:9121']);
    const exprs = (file: string) =>
      (JSON.parse(readFileSync(join(monitoring, 'grafana/dashboards', file), 'utf8')).panels as Panel[])
        .flatMap((panel) => panel.targets.map((target) => target.expr))
        .join('\n');
    expect(exprs('postgres.json')).toContain('pg_up');
    expect(exprs('postgres.json')).toContain('pg_stat_activity_count');
    expect(exprs('postgres.json')).toContain('pg_database_size_bytes');
    expect(exprs('redis.json')).toContain('redis_memory_used_bytes');
    expect(exprs('redis.json')).toContain('redis_keyspace_hits_total');
  });

  it('shows request rate, latency percentiles, error rate, job runs by status and schedule lag', () => {
    const dashboard = JSON.parse(
      readFileSync(join(monitoring, 'grafana/dashboards/app-server.json'), 'utf8'),
    );
    const byTitle = new Map((dashboard.panels as Panel[]).map((panel) => [panel.title, panel]));
    const exprs = (prefix: string) =>
      [...byTitle.entries()]
        .filter(([title]) => title.startsWith(prefix))
        .flatMap(([, panel]) => panel.targets.map((target) => target.expr))
        .join('\n');
    expect(exprs('Request rate')).toContain('rate(http_requests_total[');
    expect(exprs('Latency percentiles')).toMatch(
      /histogram_quantile\(0\.95, .*http_request_duration_seconds_bucket/,
    );
    expect(exprs('Latency percentiles')).toContain('histogram_quantile(0.99');
    expect(exprs('Error rate')).toContain('status=~"5.."');
    expect(exprs('Job runs by status')).toMatch(/sum by \(status\) .*job_runs_total/);
    expect(exprs('Schedule lag')).toContain('job_schedule_lag_seconds_bucket');
  });
});
