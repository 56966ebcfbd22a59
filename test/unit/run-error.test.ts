// Run rows are read by viewers: a failed run keeps its message and code, never a stack with server paths
// (the runner logs the stack for operators).
import { describe, expect, it } from 'vitest';
import { boundError } from '../../src/scheduler/bounded.ts';

describe('boundError', () => {
  it('keeps message and code, drops the stack', () => {
    const error = Object.assign(new Error('upstream said no'), { code: 'E_UPSTREAM' });
    expect(error.stack).toContain('run-error.test.ts');
    const bounded = boundError(error);
    expect(bounded).toEqual({ message: 'upstream said no', code: 'E_UPSTREAM' });
    expect(JSON.stringify(bounded)).not.toContain('/');
  });
});
