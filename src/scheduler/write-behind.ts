// A small write-behind queue: items added in the same turn of the event loop are written together, in one
// statement, and each caller learns its own item's result once the write committed. Used for run successes
// (settle.ts): 32 runs finishing together cost one round trip instead of 32.
//
// Never losing an item: a failed write is retried (with a short backoff); a batch that keeps failing is split
// and each item retried alone, so one item the database refuses cannot hold the others back. An item that
// still fails rejects its caller, which leaves the run `running` with its lease: the lease sweep recovers it,
// as after a crash. Callers await their item, so whoever waits for the callers (the scheduler's stop()) also
// waits for the write.

export interface WriteBehindOptions<T, R> {
  /** Writes a batch; the result has one entry per item, in order. */
  write(items: T[]): Promise<R[]>;
  /** Most items per statement. */
  maxBatch: number;
  /** Tries per write (batch, then each item alone). */
  attempts: number;
  /** Backoff before retry n (1-based). */
  retryDelayMs(retry: number): number;
  /** Told about each failed try (logging). */
  onRetry?(error: unknown, items: number, retry: number): void;
}

export interface WriteBehind<T, R> {
  /** Queues an item; resolves with its result once written. */
  add(item: T): Promise<R>;
}

interface Entry<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createWriteBehind<T, R>(options: WriteBehindOptions<T, R>): WriteBehind<T, R> {
  let queue: Entry<T, R>[] = [];
  let scheduled = false;

  async function attempt(items: T[]): Promise<R[]> {
    for (let tried = 1; ; tried++) {
      try {
        const results = await options.write(items);
        if (results.length !== items.length) {
          throw new Error(`write-behind: ${results.length} results for ${items.length} items`);
        }
        return results;
      } catch (error) {
        if (tried >= options.attempts) throw error;
        options.onRetry?.(error, items.length, tried);
        await delay(options.retryDelayMs(tried));
      }
    }
  }

  async function write(batch: Entry<T, R>[]): Promise<void> {
    try {
      const results = await attempt(batch.map((entry) => entry.item));
      for (const [index, entry] of batch.entries()) entry.resolve(results[index]!);
    } catch (error) {
      if (batch.length === 1) batch[0]!.reject(error);
      // Split: whatever the database refuses in one item must not keep the others unwritten.
      else await Promise.all(batch.map((entry) => write([entry])));
    }
  }

  function flush() {
    scheduled = false;
    while (queue.length > 0) {
      const batch = queue.slice(0, options.maxBatch);
      queue = queue.slice(options.maxBatch);
      void write(batch);
    }
  }

  return {
    add(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (queue.length >= options.maxBatch) flush();
        else if (!scheduled) {
          scheduled = true;
          // After the current turn's callbacks and I/O: every run that finished in it joins this batch.
          setImmediate(flush);
        }
      });
    },
  };
}
