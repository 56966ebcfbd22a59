// createRouter(): an OpenAPIHono whose validation errors use the envelope.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppBindings } from './types.ts';
import { validationHook } from './validation.ts';

export function createRouter() {
  return new OpenAPIHono<AppBindings>({ strict: true, defaultHook: validationHook });
}

export type AppRouter = ReturnType<typeof createRouter>;
