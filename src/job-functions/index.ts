export { BUILTIN_JOBS } from './builtin/index.ts';
export { createJobRegistry, type JobRegistry } from './registry.ts';
export { defineJob, type JobContext, type JobFunction } from './types.ts';
