// Runs the Upstash-REST bridge by hand, to try the edge's rate limit locally against a redis-server:
//   npx tsx test/support/upstash-bridge-cli.ts redis://127.0.0.1:6379 8079 local-token
// then give the worker UPSTASH_REDIS_REST_URL=http://127.0.0.1:8079 and UPSTASH_REDIS_REST_TOKEN=local-token.
import { startUpstashBridge } from './upstash-bridge.ts';

const [redisUrl = 'redis://127.0.0.1:6379', port = '8079', token = 'local-token'] = process.argv.slice(2);
const bridge = await startUpstashBridge({ redisUrl, token, port: Number(port) });
console.log(`Upstash REST bridge on ${bridge.url} (token ${token}) → ${redisUrl}`);
if (bridge.stripsScriptShebang)
  console.log('Redis < 7.2: Lua shebang lines are stripped (see the file header)');
const stop = () => void bridge.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
