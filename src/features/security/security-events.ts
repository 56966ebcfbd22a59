// Security events: failed logins, lockouts, 401/403 answers and a revoked API token presented. Each one is
// counted in security_events_total; past a threshold within the window (counted per replica) it becomes a
// security incident through the alerts service, which deduplicates by key and window across replicas, so a
// brute-force run raises one incident and one message per channel, not one per attempt.
import type { Config } from '../../config/index.ts';
import type { SecurityIncidentKind } from '../../db/schema/index.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Metrics } from '../../observability/metrics.ts';
import type { AlertsService } from '../alerts/alerts.service.ts';

export type SecurityEvent =
  | { event: 'login_failed'; username: string; ip: string }
  | { event: 'lockout'; username: string; ip: string }
  | { event: 'unauthorized' | 'forbidden'; method: string; path: string; ip: string }
  | { event: 'revoked_token'; tokenId: string; tokenName: string; ip: string };

export interface SecurityEvents {
  record(event: SecurityEvent): void;
  /** Resolves when the incidents raised so far have been written (tests, shutdown). */
  settled(): Promise<void>;
}

interface Rule {
  kind: SecurityIncidentKind;
  key: string;
  /** Events within the window that make an incident. */
  threshold: number;
  describe(count: number, latest: SecurityEvent): string;
}

/** Events in the window per rule key: timestamps of at most `threshold` latest events. */
class SlidingCount {
  private readonly times: number[] = [];
  constructor(
    private readonly threshold: number,
    private readonly windowMs: number,
  ) {}
  /** Adds one event; true when `threshold` events fell within the window (the count starts over then). */
  hit(now: number): boolean {
    this.times.push(now);
    if (this.times.length > this.threshold) this.times.shift();
    if (this.times.length === this.threshold && now - this.times[0]! <= this.windowMs) {
      this.times.length = 0;
      return true;
    }
    return false;
  }
}

export function createSecurityEvents(deps: {
  config: Pick<Config, 'alerts'>;
  metrics: Pick<Metrics, 'securityEvent'>;
  alerts: Pick<AlertsService, 'raiseSecurityIncident'>;
  logger: Logger;
  now?: () => number;
}): SecurityEvents {
  const { windowSeconds, failedLogins, deniedResponses } = deps.config.alerts.security;
  const windowMs = windowSeconds * 1000;
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'security' });
  const counts = new Map<string, SlidingCount>();
  const pending = new Set<Promise<unknown>>();

  function ruleFor(event: SecurityEvent): Rule {
    switch (event.event) {
      case 'login_failed':
        return {
          kind: 'failed_logins',
          key: 'failed_logins',
          threshold: failedLogins,
          describe: (n, e) =>
            `${n} failed logins within ${windowSeconds} s (latest: user "${(e as { username: string }).username}" from ${e.ip})`,
        };
      case 'lockout':
        return {
          kind: 'lockouts',
          key: 'lockouts',
          threshold: 1,
          describe: (_n, e) =>
            `user "${(e as { username: string }).username}" locked out after failed logins (from ${e.ip})`,
        };
      case 'unauthorized':
      case 'forbidden':
        return {
          kind: 'denied_burst',
          key: 'denied_burst',
          threshold: deniedResponses,
          describe: (n, e) => {
            const { method, path } = e as { method: string; path: string };
            return `${n} requests refused with 401/403 within ${windowSeconds} s (latest: ${method} ${path} from ${e.ip})`;
          },
        };
      case 'revoked_token':
        return {
          kind: 'revoked_token',
          key: `revoked_token:${event.tokenId}`,
          threshold: 1,
          describe: () =>
            `revoked API token "${event.tokenName}" (${event.tokenId}) presented from ${event.ip}`,
        };
    }
  }

  /** One upsert per threshold reached: the database opens the incident or adds `count` to the open one. */
  function raise(rule: Rule, count: number, event: SecurityEvent) {
    const write = deps.alerts
      .raiseSecurityIncident({
        kind: rule.kind,
        key: rule.key,
        message: rule.describe(count, event),
        count,
        windowSeconds,
      })
      .catch((error) => {
        log.error({ err: error, kind: rule.kind }, 'could not record a security incident');
      })
      .finally(() => pending.delete(write));
    pending.add(write);
  }

  return {
    record(event) {
      deps.metrics.securityEvent(event.event);
      const rule = ruleFor(event);
      let counter = counts.get(rule.key);
      if (!counter) {
        counter = new SlidingCount(rule.threshold, windowMs);
        if (counts.size > 10_000) counts.clear();
        counts.set(rule.key, counter);
      }
      if (counter.hit(now())) raise(rule, rule.threshold, event);
    },
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
