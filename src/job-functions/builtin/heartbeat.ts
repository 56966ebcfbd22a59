// The seed's hello_job: proves the scheduler is alive; can hold a run open (drills, lease tests).
import { z } from '@hono/zod-openapi';
import { defineJob } from '../types.ts';

export const helloJob = defineJob({
  key: 'app.jobs.heartbeat:hello_job',
  description: 'Logs a heartbeat line with its arguments and returns them. Optionally holds the run open.',
  argsSchema: z
    .object({
      message: z.string().max(500).default('hello'),
      sleep_ms: z
        .number()
        .int()
        .min(0)
        .max(3_600_000)
        .default(0)
        .describe('Keep the run open this long (honours cancellation)'),
    })
    .strict(),
  async run(ctx, args) {
    ctx.logger.info({ message: args.message, attempt: ctx.attempt }, 'hello job ran');
    if (args.sleep_ms > 0) await sleep(args.sleep_ms, ctx.signal);
    return { message: args.message, scheduled_for: ctx.scheduledFor.toISOString(), attempt: ctx.attempt };
  },
});

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
