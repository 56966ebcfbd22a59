import { z } from '@hono/zod-openapi';

export const ComponentHealthSchema = z
  .object({
    status: z.enum(['healthy', 'unhealthy']),
    latency_ms: z.number().openapi({ example: 1.2 }),
    kind: z.string().optional().openapi({ description: 'postgres, pglite, redis or memory' }),
    error: z.string().optional().openapi({ description: 'Why the check failed (secrets masked)' }),
  })
  .openapi('ComponentHealth');

export const HealthSchema = z
  .object({
    status: z.enum(['healthy', 'degraded', 'unhealthy']),
    components: z.record(z.string(), ComponentHealthSchema).openapi({
      description: 'app_db always; legacy_db and redis when configured',
    }),
    version: z.string(),
    uptime_seconds: z.number(),
  })
  .openapi('Health');

export type ComponentHealth = z.infer<typeof ComponentHealthSchema>;
export type Health = z.infer<typeof HealthSchema>;
