// An Upstash-REST bridge over ioredis to a real redis-server, for tests (docker compose runs the real
// serverless-redis-http container instead). Speaks what @upstash/redis and @upstash/ratelimit send:
//   POST /             body ["CMD", ...args]            → {"result": ...} | 400 {"error": "..."}
//   POST /pipeline     body [["CMD", ...], ...]        → [{"result": ...} | {"error": "..."}, ...]
//   POST /multi-exec   body [["CMD", ...], ...]        → the same, run in MULTI/EXEC
// `Authorization: Bearer <token>` is required; `Upstash-Encoding: base64` base64-encodes every string in
// the result (the client decodes them). Path-style commands (GET /get/key) are not supported.
//
// Redis < 7.2 rejects the `#!lua flags=allow-key-locking` shebang that @upstash/ratelimit's scripts start
// with (TOOLCHAIN.md). On such a server the bridge strips the shebang line from EVAL / SCRIPT LOAD scripts
// (keeping line numbers) and maps the SHA-1 of the original script, which the client computed, to the SHA-1
// of the loaded one, so EVALSHA keeps working. The flag only relaxes key locking on Redis >= 7.2; without
// it the scripts run the classic way, with the same results.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';

export interface UpstashBridge {
  /** The REST URL to give @upstash/redis (UPSTASH_REDIS_REST_URL). */
  url: string;
  token: string;
  /** Whether the bridge rewrites shebang scripts (Redis < 7.2). */
  stripsScriptShebang: boolean;
  close(): Promise<void>;
}

type Command = (string | number)[];
type Reply = { result: unknown } | { error: string };

const SHEBANG = /^#![^\n]*\n/;
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

export async function startUpstashBridge(options: {
  redisUrl: string;
  token: string;
  /** 0 (default): any free port. */
  port?: number;
}): Promise<UpstashBridge> {
  const redis = new Redis(options.redisUrl, {
    // Fail fast while Redis is down: the client under test must see the outage, not a queue.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => 100,
  });
  redis.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    redis.once('ready', resolve);
    redis.once('end', () => reject(new Error('the bridge cannot reach Redis')));
  });
  const info = String(await redis.info('server'));
  const version = /redis_version:(\d+)\.(\d+)/.exec(info);
  const stripsScriptShebang = !version || Number(version[1]) * 100 + Number(version[2]) < 702;
  /** SHA-1 of a script as the client sent it → SHA-1 of the script Redis loaded. */
  const loadedShaFor = new Map<string, string>();

  function rewrite(command: Command): { command: Command; originalSha?: string } {
    if (!stripsScriptShebang) return { command };
    const name = String(command[0]).toUpperCase();
    const isEval = name === 'EVAL' || name === 'EVAL_RO';
    const isLoad = name === 'SCRIPT' && String(command[1]).toUpperCase() === 'LOAD';
    const scriptIndex = isEval ? 1 : isLoad ? 2 : -1;
    if (scriptIndex >= 0) {
      const script = String(command[scriptIndex]);
      if (!SHEBANG.test(script)) return { command };
      const stripped = script.replace(SHEBANG, '\n');
      const originalSha = sha1(script);
      loadedShaFor.set(originalSha, sha1(stripped));
      const rewritten = [...command];
      rewritten[scriptIndex] = stripped;
      return { command: rewritten, originalSha };
    }
    if (name === 'EVALSHA' || name === 'EVALSHA_RO') {
      const loaded = loadedShaFor.get(String(command[1]).toLowerCase());
      if (loaded) return { command: [command[0]!, loaded, ...command.slice(2)] };
    }
    return { command };
  }

  const encode = (value: unknown, base64: boolean): unknown => {
    if (Buffer.isBuffer(value)) return base64 ? value.toString('base64') : value.toString('utf8');
    if (typeof value === 'string') return base64 ? Buffer.from(value).toString('base64') : value;
    if (Array.isArray(value)) return value.map((item) => encode(item, base64));
    return value ?? null;
  };

  async function runOne(raw: Command, base64: boolean): Promise<Reply> {
    const { command, originalSha } = rewrite(raw);
    try {
      const result = await redis.callBuffer(String(command[0]), ...command.slice(1).map(String));
      // SCRIPT LOAD answers with the SHA the client expects (of the script it sent).
      if (originalSha && String(command[0]).toUpperCase() === 'SCRIPT') {
        return { result: encode(originalSha, base64) };
      }
      return { result: encode(result, base64) };
    } catch (error) {
      return { error: (error as Error).message };
    }
  }

  async function runTransaction(commands: Command[], base64: boolean): Promise<Reply[]> {
    const multi = redis.multi();
    for (const raw of commands) {
      const { command } = rewrite(raw);
      multi.callBuffer(String(command[0]), ...command.slice(1).map(String));
    }
    const results = (await multi.exec()) ?? [];
    return results.map(([error, result]) =>
      error ? { error: error.message } : { result: encode(result, base64) },
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      return send(401, { error: 'Unauthorized' });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(400, { error: 'ERR the body is not JSON' });
    }
    const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
    const path = new URL(req.url ?? '/', 'http://bridge').pathname;
    if (req.method !== 'POST') return send(405, { error: 'ERR only POST is supported' });
    if (redis.status !== 'ready') return send(500, { error: 'ERR Redis is unreachable' });

    if (path === '/') {
      if (!Array.isArray(body) || body.length === 0)
        return send(400, { error: 'ERR expected ["CMD", ...args]' });
      const reply = await runOne(body as Command, base64);
      return send('error' in reply ? 400 : 200, reply);
    }
    if (path === '/pipeline' || path === '/multi-exec') {
      if (!Array.isArray(body) || !body.every(Array.isArray)) {
        return send(400, { error: 'ERR expected [["CMD", ...args], ...]' });
      }
      const commands = body as Command[];
      if (path === '/pipeline') {
        const replies: Reply[] = [];
        for (const command of commands) replies.push(await runOne(command, base64));
        return send(200, replies);
      }
      try {
        return send(200, await runTransaction(commands, base64));
      } catch (error) {
        return send(400, { error: (error as Error).message });
      }
    }
    return send(404, { error: `ERR unknown path ${path}` });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: (error as Error).message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token: options.token,
    stripsScriptShebang,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      redis.disconnect();
    },
  };
}
