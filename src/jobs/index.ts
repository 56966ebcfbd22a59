export { BUILTIN_JOBS } from './builtin/index.ts';
export { createVolumeFileStore, type FileStore, type StoredFileInfo } from './file-store.ts';
export { createJobRegistry, type JobRegistry } from './registry.ts';
export { defineJob, type JobContext, type JobFunction } from './types.ts';
