// Every statement the engine runs, one named function each taking the executor (the pool or a transaction),
// grouped by what they touch. Parts import this module only: `import * as sql from './sql/index.ts'`.
export * from './claims.ts';
export * from './jobs.ts';
export * from './maintenance.ts';
export * from './rows.ts';
export * from './runs.ts';
