// Removes files older than N days from the file volume. Dry run by default: it reports what it would remove.
import { z } from '@hono/zod-openapi';
import { defineJob } from '../types.ts';

const LISTED_PATHS = 100;

export const filesCleanupJob = defineJob({
  key: 'app.jobs.files:cleanup_files',
  description:
    'Removes files older than older_than_days from the file volume (FILES_BASE_DIR). With dry_run it only reports.',
  argsSchema: z
    .object({
      older_than_days: z.number().int().min(1).max(36_500),
      dry_run: z.boolean().default(true),
      max_files: z.number().int().min(1).max(1_000_000).default(10_000),
    })
    .strict(),
  async run(ctx, args) {
    const cutoff = Date.now() - args.older_than_days * 86_400_000;
    const removed: string[] = [];
    let count = 0;
    let bytes = 0;
    let scanned = 0;
    for await (const file of ctx.files.list()) {
      ctx.signal.throwIfAborted();
      scanned++;
      if (file.modifiedAt.getTime() >= cutoff) continue;
      if (count >= args.max_files) break;
      if (!args.dry_run) await ctx.files.remove(file.path);
      count++;
      bytes += file.size;
      if (removed.length < LISTED_PATHS) removed.push(file.path);
    }
    ctx.logger.info({ count, bytes, dry_run: args.dry_run }, 'file clean-up done');
    return { dry_run: args.dry_run, scanned, matched: count, bytes, paths: removed };
  },
});
