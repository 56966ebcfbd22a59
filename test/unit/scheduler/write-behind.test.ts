// The write-behind queue the engine records run successes with (src/scheduler/write-behind.ts), and the
// maintenance poll's place in the second (policies.ts, pollDelay).
import { describe, expect, it } from 'vitest';
import { pollDelay } from '../../../src/scheduler/policies.ts';
import { createWriteBehind } from '../../../src/scheduler/write-behind.ts';

function recorder(fail: (items: number[], call: number) => boolean = () => false) {
  const calls: number[][] = [];
  const retries: { items: number; retry: number }[] = [];
  const queue = createWriteBehind<number, string>({
    write: async (items) => {
      calls.push(items);
      if (fail(items, calls.length)) throw new Error(`refused ${items.join(',')}`);
      return items.map((item) => `written ${item}`);
    },
    maxBatch: 4,
    attempts: 3,
    retryDelayMs: () => 1,
    onRetry: (_error, items, retry) => retries.push({ items, retry }),
  });
  return { queue, calls, retries };
}

describe('write-behind queue', () => {
  it('writes the items added in one turn together, each caller getting its own result', async () => {
    const { queue, calls } = recorder();
    const results = await Promise.all([1, 2, 3].map((item) => queue.add(item)));
    expect(results).toEqual(['written 1', 'written 2', 'written 3']);
    expect(calls).toEqual([[1, 2, 3]]);
    expect(await queue.add(4)).toBe('written 4');
    expect(calls).toEqual([[1, 2, 3], [4]]);
  });

  it('never puts more than maxBatch items in one write', async () => {
    const { queue, calls } = recorder();
    const items = Array.from({ length: 10 }, (_, i) => i);
    expect(await Promise.all(items.map((item) => queue.add(item)))).toEqual(
      items.map((item) => `written ${item}`),
    );
    expect(calls).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
  });

  it('retries a failed write, and the callers see only the result', async () => {
    const { queue, calls, retries } = recorder((_items, call) => call === 1);
    expect(await Promise.all([queue.add(1), queue.add(2)])).toEqual(['written 1', 'written 2']);
    expect(calls).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(retries).toEqual([{ items: 2, retry: 1 }]);
  });

  it('splits a batch that keeps failing: one refused item rejects alone, the others are written', async () => {
    const { queue, calls } = recorder((items) => items.includes(2));
    const settled = await Promise.allSettled([1, 2, 3].map((item) => queue.add(item)));
    expect(settled).toEqual([
      { status: 'fulfilled', value: 'written 1' },
      { status: 'rejected', reason: new Error('refused 2') },
      { status: 'fulfilled', value: 'written 3' },
    ]);
    // Three tries of the batch, then each item alone (the refused one three times).
    expect(calls.filter((call) => call.length === 3)).toHaveLength(3);
    expect(calls.filter((call) => call.length === 1 && call[0] === 2)).toHaveLength(3);
  });

  it('treats a result count that does not match the items as a failed write', async () => {
    let call = 0;
    const queue = createWriteBehind<number, number>({
      write: async (items) => (++call === 1 ? [] : items),
      maxBatch: 8,
      attempts: 2,
      retryDelayMs: () => 1,
    });
    expect(await queue.add(5)).toBe(5);
    expect(call).toBe(2);
  });
});

describe('maintenance poll timing', () => {
  it('lands in the middle of a second, about one interval later, when the interval is a second or more', () => {
    const at = (iso: string) => Date.parse(iso);
    const now = at('2026-01-01T00:00:12.300Z');
    expect(now + pollDelay(now, 1_000)).toBe(at('2026-01-01T00:00:13.500Z'));
    expect(now + pollDelay(now, 5_000)).toBe(at('2026-01-01T00:00:17.500Z'));
    const late = at('2026-01-01T00:00:12.800Z');
    expect(late + pollDelay(late, 1_000)).toBe(at('2026-01-01T00:00:13.500Z'));
  });

  it('keeps a sub-second interval as it is', () => {
    expect(pollDelay(Date.parse('2026-01-01T00:00:12.300Z'), 100)).toBe(100);
  });
});
