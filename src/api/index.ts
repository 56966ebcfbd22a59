// Every /api/v1 router in one chain, so its type describes the whole API for hono's typed client (hc).
// New feature routers join the chain here.
import type { FileStore } from '../files/file-store.ts';
import { createRouter } from '../http/router.ts';
import { createAlertsRouter } from './alerts/index.ts';
import { createAuthRouter } from './auth/index.ts';
import { createCronRouter } from './cron/index.ts';
import { createFilesRouter } from './files/index.ts';
import { createFunctionsRouter } from './functions/index.ts';
import { createHealthRouter } from './health/index.ts';
import { createJobsRouter } from './jobs/index.ts';
import { createRunsRouter } from './runs/index.ts';
import { createTokensRouter } from './tokens/index.ts';
import { createUsersRouter } from './users/index.ts';

export function createApiRouter(options: { files: FileStore }) {
  return createRouter()
    .route('/', createHealthRouter())
    .route('/', createAuthRouter())
    .route('/', createUsersRouter())
    .route('/', createTokensRouter())
    .route('/', createFilesRouter(options.files))
    .route('/', createJobsRouter())
    .route('/', createRunsRouter())
    .route('/', createFunctionsRouter())
    .route('/', createCronRouter())
    .route('/', createAlertsRouter());
}

/** The API's type for `hc<ApiRoutes>(baseUrl + API_V1_STR)`. */
export type ApiRoutes = ReturnType<typeof createApiRouter>;
