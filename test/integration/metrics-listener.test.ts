// The origin process with METRICS_PORT: /metrics (with process metrics) on the internal listener only, the
// main port without it; SIGTERM closes both.
import { describe, expect, it } from 'vitest';
import { parseScrape } from '../support/metrics.ts';
import { startOrigin } from '../support/origin-process.ts';
import { freePort } from '../support/ports.ts';
import { createTestDatabase, realPostgresUrl } from '../support/real-servers.ts';

describe.skipIf(!realPostgresUrl())('origin process with METRICS_PORT', () => {
  it('serves /metrics on the internal port only, with process metrics, and stops both on SIGTERM', async () => {
    const metricsPort = await freePort();
    const running = await startOrigin({
      METRICS_PORT: String(metricsPort),
      DB_APP_URL: await createTestDatabase('metrics'),
      SCHEDULER_ENABLED: 'true',
    });
    const { port, process: origin } = running;
    try {
      await fetch(`http://127.0.0.1:${port}/healthz`);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
      const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const scrape = parseScrape(await response.text());
      expect(scrape.value('http_requests_total', { route: '/healthz', status: '200' })).toBe(1);
      expect(scrape.value('process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(scrape.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
      expect(scrape.value('db_pool_connections_max', { pool: 'app' })).toBeGreaterThan(0);
      expect(scrape.value('scheduler_jobs_overdue')).toBe(0);
      origin.child.kill('SIGTERM');
      expect(await origin.exited).toBe(0);
      await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
    } finally {
      await running.kill9();
      await running.stop(); // removes its DATA_DIR
    }
  });
});
