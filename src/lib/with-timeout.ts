export class TimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * Resolves like `work`, or rejects with TimeoutError after `ms`; the timer never keeps the process alive.
 * When the timer fires, the rejection waits one turn of the event loop: on a busy loop timers run before I/O, so
 * an answer that arrived in time but was not read yet settles `work` first instead of counting as a timeout.
 */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => setImmediate(() => reject(new TimeoutError(ms))), ms);
    (timer as { unref?: () => void }).unref?.();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
