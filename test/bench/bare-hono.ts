// The ceiling for `npm run bench`: the smallest Hono JSON route on @hono/node-server, on the same Node.
// Usage: PORT=8001 node --import tsx test/bench/bare-hono.ts
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.get('/', (c) => c.json({ status: 'ok' }));

serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' }, (info) => {
  console.log(`listening on ${info.port}`);
});
process.on('SIGTERM', () => process.exit(0));
