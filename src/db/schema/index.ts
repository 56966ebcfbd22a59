// The app DB schema (drizzle). The legacy DB has no schema here: it is never migrated.
export * from './alerts.ts';
export * from './audit-log.ts';
export * from './files.ts';
export * from './job-runs.ts';
export * from './scheduled-jobs.ts';
export * from './security-incidents.ts';
export * from './users.ts';
