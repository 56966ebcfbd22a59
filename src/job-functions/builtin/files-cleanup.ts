// Removes uploads older than N days from the file volume, and marks their metadata rows deleted so the
// files API never points at bytes that are gone. Dry run by default: it reports what it would remove.
import { z } from '@hono/zod-openapi';
import { defineJob } from '../types.ts';

const LISTED_KEYS = 100;

export const filesCleanupJob = defineJob({
  key: 'app.jobs.files:cleanup_files',
  description:
    'Removes uploads older than older_than_days from the file volume (FILES_BASE_DIR) and marks their rows ' +
    'deleted; only_soft_deleted limits it to files already deleted through the API. With dry_run it only reports.',
  argsSchema: z
    .object({
      older_than_days: z.number().int().min(1).max(36_500),
      dry_run: z.boolean().default(true),
      only_soft_deleted: z.boolean().default(false),
      max_files: z.number().int().min(1).max(1_000_000).default(10_000),
    })
    .strict(),
  async run(ctx, args) {
    const cutoff = Date.now() - args.older_than_days * 86_400_000;
    const softDeleted = args.only_soft_deleted
      ? new Set(
          (
            await ctx.appDb.query<{ storage_key: string }>(
              'select storage_key from files where deleted_at is not null',
            )
          ).map((row) => row.storage_key),
        )
      : undefined;
    const removed: string[] = [];
    let count = 0;
    let bytes = 0;
    const objects = await ctx.files.list();
    for (const object of objects) {
      ctx.signal.throwIfAborted();
      if (object.modifiedAt.getTime() >= cutoff) continue;
      if (softDeleted && !softDeleted.has(object.key)) continue;
      if (count >= args.max_files) break;
      if (!args.dry_run) {
        await ctx.appDb.query(
          `update files set deleted_at = coalesce(deleted_at, now()),
             deleted_by = coalesce(deleted_by, 'job:cleanup_files')
           where storage_key = $1`,
          [object.key],
        );
        await ctx.files.remove(object.key);
      }
      count++;
      bytes += object.size;
      if (removed.length < LISTED_KEYS) removed.push(object.key);
    }
    ctx.logger.info({ count, bytes, dry_run: args.dry_run }, 'file clean-up done');
    return { dry_run: args.dry_run, scanned: objects.length, matched: count, bytes, keys: removed };
  },
});
