// The run's last line counts a test whose suite hook failed as failed, not skipped (a beforeAll that timed
// out once printed "0 failed" for a failing run).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestModule } from 'vitest/node';
import SummaryReporter from '../support/summary-reporter.ts';

type Node = { type: 'module' | 'suite'; errors: () => unknown[]; parent?: Node };
const fakeModule = (hookError: boolean, states: string[], moduleErrors: unknown[] = []) => {
  const module: Node = { type: 'module', errors: () => moduleErrors };
  const suite: Node = {
    type: 'suite',
    errors: () => (hookError ? [{ message: 'hook' }] : []),
    parent: module,
  };
  const tests = states.map((state, i) => ({ fullName: `t${i}`, parent: suite, result: () => ({ state }) }));
  return {
    ...module,
    moduleId: '/x.test.ts',
    relativeModuleId: 'x.test.ts',
    children: { allTests: () => tests.values() },
    diagnostic: () => ({ duration: 1 }),
  } as unknown as TestModule;
};

describe('summary reporter', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  const lastLine = (modules: TestModule[]) => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    new SummaryReporter().onTestRunEnd(modules);
    return String(log.mock.calls.at(-1)?.[0]).split('\n').at(-1);
  };

  it('counts tests kept from running by a failed hook, and files that failed before any test, as failed', () => {
    expect(lastLine([fakeModule(true, ['skipped', 'skipped'])])).toBe('0 passed, 2 failed, 0 skipped');
    expect(lastLine([fakeModule(false, ['passed', 'skipped'])])).toMatch(/^1 passed, 0 failed, 1 skipped$/);
    expect(lastLine([fakeModule(false, [], [{ message: 'syntax' }])])).toBe('0 passed, 1 failed, 0 skipped');
  });
});
