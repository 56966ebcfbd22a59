// A local stand-in for Google's OAuth token endpoint and the Drive v3 multipart upload, speaking the parts the
// file mirror (src/features/files/mirror-drive.ts, Google's official client) uses: POST /token verifies the
// service account's RS256 JWT assertion with its public key; POST /upload/drive/v3/files?uploadType=multipart
// needs the bearer token and a multipart/related body (metadata JSON, then the bytes), stores the file and
// answers its id. `failUploads(n)` makes the next n uploads answer 503.
import { createVerify, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The audience Google's token endpoint requires in the assertion (the key's token_uri is where it is sent). */
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

export interface FakeDriveFile {
  id: string;
  metadata: { name: string; parents: string[]; mimeType: string; appProperties: Record<string, string> };
  bytes: Buffer;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Splits a multipart/related body (Drive's multipart upload) into its parts, bytes kept exact. */
function multipartRelated(contentType: string, body: Buffer): { type: string; body: Buffer }[] | undefined {
  const boundary = /^multipart\/related;\s*boundary=("?)([^";]+)\1/i.exec(contentType)?.[2];
  if (!boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { type: string; body: Buffer }[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') return parts;
    const next = body.indexOf(delimiter, start);
    if (next === -1) return undefined;
    const part = body.subarray(start + 2, next - 2); // after CRLF, before CRLF
    const split = part.indexOf('\r\n\r\n');
    if (split === -1) return undefined;
    const headers = part.subarray(0, split).toString();
    parts.push({
      type: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1] ?? '',
      body: part.subarray(split + 4),
    });
    at = next;
  }
  return undefined;
}

export async function startFakeDrive() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientEmail = 'mirror@app-server-test.iam.gserviceaccount.com';
  const tokens = new Set<string>();
  const files: FakeDriveFile[] = [];
  const tokenRequests: { iss: string; scope: string; aud: string }[] = [];
  let failing = 0;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: error.message }));
    });
  });
  async function handle(request: IncomingMessage, response: import('node:http').ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://fake-drive');
    const body = await readBody(request);
    const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(json));
    };
    if (request.method === 'POST' && url.pathname === '/token') {
      const form = new URLSearchParams(body.toString());
      const [header, claims, signature] = (form.get('assertion') ?? '').split('.');
      const valid =
        form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer' &&
        header &&
        claims &&
        signature &&
        createVerify('RSA-SHA256')
          .update(`${header}.${claims}`)
          .verify(publicKey, Buffer.from(signature, 'base64url'));
      if (!valid) return answer(400, { error: 'invalid_grant' });
      const parsed = JSON.parse(Buffer.from(claims!, 'base64url').toString());
      tokenRequests.push(parsed);
      if (parsed.iss !== clientEmail || parsed.aud !== GOOGLE_TOKEN_URL)
        return answer(400, { error: 'invalid_grant' });
      const token = `ya29.${randomUUID()}`;
      tokens.add(token);
      return answer(200, { access_token: token, expires_in: 3600, token_type: 'Bearer' });
    }
    const bearer = request.headers.authorization?.replace(/^Bearer /, '');
    if (request.method === 'POST' && url.pathname === '/upload/drive/v3/files') {
      if (!bearer || !tokens.has(bearer)) return answer(401, { error: { code: 401 } });
      if (url.searchParams.get('uploadType') !== 'multipart') return answer(400, { error: 'multipart only' });
      const parts = multipartRelated(request.headers['content-type'] ?? '', body);
      if (parts?.length !== 2 || !parts[0]!.type.startsWith('application/json'))
        return answer(400, { error: 'expected multipart/related: metadata JSON, then the media' });
      if (failing > 0) {
        failing--;
        return answer(503, { error: { code: 503, message: 'backend error' } });
      }
      const metadata = JSON.parse(parts[0]!.body.toString()) as FakeDriveFile['metadata'];
      const file = { id: `drive-${randomUUID()}`, metadata, bytes: parts[1]!.body };
      files.push(file);
      return answer(200, { id: file.id, name: metadata.name });
    }
    answer(404, { error: 'not found' });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin(),
    files,
    tokenRequests,
    /** A service-account key file's content for this fake (token_uri points here). */
    serviceAccountKey: () =>
      JSON.stringify({
        type: 'service_account',
        client_email: clientEmail,
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
        token_uri: `${origin()}/token`,
      }),
    failUploads(count: number) {
      failing = count;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeDrive = Awaited<ReturnType<typeof startFakeDrive>>;
