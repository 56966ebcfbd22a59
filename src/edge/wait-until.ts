// ctx.waitUntil when the platform offers it: work that may finish after the response left.
/** Schedules work past the response when the platform offers it (workerd does; app.request in tests may not). */
export function waitUntilOf(executionCtx: () => { waitUntil(promise: Promise<unknown>): void }) {
  return (promise: Promise<unknown>) => {
    try {
      executionCtx().waitUntil(promise);
    } catch {
      void promise.catch(() => {});
    }
  };
}
