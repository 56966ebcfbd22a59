// The edge worker entry (wrangler.toml main): rate limit (Upstash Redis), cache (Cache API) and proxy to
// ORIGIN_URL. Configuration comes from the worker's bindings only; see docs/deploy/edge.md.
import { createEdgeApp } from '../edge/app.ts';

export type { EdgeBindings } from '../edge/config.ts';

export default createEdgeApp();
