// docker/backup/app-server.cron: every entry has a valid five-field schedule, runs as a named user, loads the
// env file and calls a script that exists and is executable; the backup runs daily and the drill at least
// weekly, after the backup.
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const lines = readFileSync(join(root, 'docker/backup/app-server.cron'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() && !line.startsWith('#') && !/^[A-Z_]+=/.test(line));
const entries = lines.map((line) => {
  const fields = line.trim().split(/\s+/);
  return { schedule: fields.slice(0, 5).join(' '), user: fields[5]!, command: fields.slice(6).join(' ') };
});

describe('backup schedule (cron.d)', () => {
  it('has valid schedules that run existing scripts with the env file loaded', () => {
    expect(entries).toHaveLength(2);
    for (const entry of entries) {
      expect(() => new Cron(entry.schedule, { paused: true }), entry.schedule).not.toThrow();
      expect(entry.user).toMatch(/^[a-z_][a-z0-9_-]*$/);
      expect(entry.command).toContain('set -a && . ./.env.aws && set +a');
      const script = /scripts\/[\w-]+\.sh/.exec(entry.command)![0];
      expect(() => accessSync(join(root, script), constants.X_OK), script).not.toThrow();
    }
  });

  it('backs up every day and drills at least weekly, after a backup', () => {
    const backup = entries.find((e) => e.command.includes('scripts/backup.sh'))!;
    const drill = entries.find((e) => e.command.includes('scripts/restore-drill.sh'))!;
    const from = new Date('2026-11-29T00:00:00Z');
    const runs = (schedule: string, n: number) =>
      new Cron(schedule, { paused: true, timezone: 'UTC' }).nextRuns(n, from).map((d) => d.getTime());
    const backups = runs(backup.schedule, 30);
    for (let i = 1; i < backups.length; i++)
      expect(backups[i]! - backups[i - 1]!).toBeLessThanOrEqual(86_400_000);
    const drills = runs(drill.schedule, 3);
    expect(drills[1]! - drills[0]!).toBeLessThanOrEqual(7 * 86_400_000);
    // Each drill finds a backup made earlier the same day.
    for (const at of drills) {
      const sameDay = backups.find((b) => b < at && at - b < 86_400_000);
      expect(sameDay, new Date(at).toISOString()).toBeDefined();
    }
  });
});
