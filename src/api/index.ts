// Every /api/v1 router in one chain, so its type describes the whole API for hono's typed client (hc).
// New feature routers join the chain here.

import { createAlertsRouter } from '../features/alerts/api/index.ts';
import { createAuditRouter } from '../features/audit/api/index.ts';
import { createAuthRouter } from '../features/auth/api/index.ts';
import { createFilesRouter } from '../features/files/api/index.ts';
import { createHealthRouter } from '../features/health/api/index.ts';
import { createCronRouter } from '../features/jobs/api/cron-preview.ts';
import { createFunctionsRouter } from '../features/jobs/api/functions.ts';
import { createJobsRouter } from '../features/jobs/api/index.ts';
import { createRunsRouter } from '../features/runs/api/index.ts';
import { createTokensRouter } from '../features/tokens/api/index.ts';
import { createUsersRouter } from '../features/users/api/index.ts';
import { createRouter } from '../http/router.ts';

export function createApiRouter() {
  return createRouter()
    .route('/', createHealthRouter())
    .route('/', createAuthRouter())
    .route('/', createUsersRouter())
    .route('/', createTokensRouter())
    .route('/', createFilesRouter())
    .route('/', createJobsRouter())
    .route('/', createRunsRouter())
    .route('/', createFunctionsRouter())
    .route('/', createCronRouter())
    .route('/', createAlertsRouter())
    .route('/', createAuditRouter());
}

/** The API's type for `hc<ApiRoutes>(baseUrl + API_V1_STR)`. */
export type ApiRoutes = ReturnType<typeof createApiRouter>;
