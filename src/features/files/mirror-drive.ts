// The Google Drive v3 adapter of the file mirror: signs in as a service account (an RS256 JWT assertion
// exchanged at the key's token_uri, RFC 7523, signed with node:crypto) and uploads with a resumable session
// (POST the metadata, then PUT the bytes streamed from the volume), so no file is held in memory whole.
// Every request goes through the pinned outbound fetch (src/lib/pinned-fetch.ts).
import { createPrivateKey, createSign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from '../../config/index.ts';
import { type OutboundPolicy, pinnedFetch } from '../../lib/pinned-fetch.ts';
import type { FileMirror, MirroredFile } from './mirror.ts';

const DRIVE_SCOPE = 'https://www.googleapis.com/auth/drive.file';
const TOKEN_LIFETIME_SECONDS = 3600;
/** A token or session request that hangs is abandoned (and retried later) after this. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Bytes move at 64 KiB/s at least, or the attempt is abandoned. */
const uploadTimeoutMs = (size: number) => REQUEST_TIMEOUT_MS + Math.ceil(size / 65_536) * 1000;

interface ServiceAccountKey {
  clientEmail: string;
  privateKey: KeyObject;
  tokenUri: string;
}

/** Reads and checks the service-account key file; the error names the variable and never the key. */
export function loadServiceAccountKey(path: string): ServiceAccountKey {
  let parsed: { type?: string; client_email?: string; private_key?: string; token_uri?: string };
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(
      `GDRIVE_CREDENTIALS: cannot read ${path} as JSON (${(error as NodeJS.ErrnoException).code ?? 'invalid JSON'})`,
    );
  }
  if (parsed.type !== 'service_account' || !parsed.client_email || !parsed.private_key || !parsed.token_uri) {
    throw new Error(
      `GDRIVE_CREDENTIALS: ${path} is not a service-account key (needs type "service_account", client_email, private_key, token_uri)`,
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(parsed.private_key);
  } catch {
    throw new Error(`GDRIVE_CREDENTIALS: the private_key in ${path} is not a PEM private key`);
  }
  return { clientEmail: parsed.client_email, privateKey, tokenUri: parsed.token_uri };
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

function signedAssertion(key: ServiceAccountKey, nowSeconds: number): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = base64url(
    JSON.stringify({
      iss: key.clientEmail,
      scope: DRIVE_SCOPE,
      aud: key.tokenUri,
      iat: nowSeconds,
      exp: nowSeconds + TOKEN_LIFETIME_SECONDS,
    }),
  );
  const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(key.privateKey);
  return `${header}.${claims}.${base64url(signature)}`;
}

export class DriveError extends Error {}

async function failure(what: string, response: Response | import('undici').Response): Promise<DriveError> {
  const text = (await response.text().catch(() => '')).slice(0, 300);
  return new DriveError(`${what}: HTTP ${response.status}${text ? ` ${text}` : ''}`);
}

export function createDriveMirror(settings: NonNullable<Config['gdrive']>, production: boolean): FileMirror {
  const key = loadServiceAccountKey(settings.credentialsFile);
  const policy: OutboundPolicy = {
    allowPrivate: settings.allowPrivate,
    production,
    flag: 'GDRIVE_ALLOW_PRIVATE',
  };
  let token: { value: string; expiresAt: number } | undefined;

  async function accessToken(): Promise<string> {
    if (token && token.expiresAt - 60_000 > Date.now()) return token.value;
    const body = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: signedAssertion(key, Math.floor(Date.now() / 1000)),
    });
    token = await pinnedFetch(
      new URL(key.tokenUri),
      { method: 'POST', body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) },
      policy,
      async (response) => {
        if (!response.ok) throw await failure('token request refused', response);
        const json = (await response.json()) as { access_token?: string; expires_in?: number };
        if (!json.access_token) throw new DriveError('token response without access_token');
        return { value: json.access_token, expiresAt: Date.now() + (json.expires_in ?? 3600) * 1000 };
      },
    );
    return token.value;
  }

  return {
    name: 'gdrive',
    async upload(file: MirroredFile, open: () => ReadableStream<Uint8Array>) {
      const authorization = `Bearer ${await accessToken()}`;
      const start = new URL(`${settings.apiUrl}/upload/drive/v3/files`);
      start.search = new URLSearchParams({
        uploadType: 'resumable',
        supportsAllDrives: 'true',
        fields: 'id',
      }).toString();
      const session = await pinnedFetch(
        start,
        {
          method: 'POST',
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          headers: {
            authorization,
            'content-type': 'application/json; charset=UTF-8',
            'x-upload-content-type': file.contentType,
            'x-upload-content-length': String(file.size),
          },
          body: JSON.stringify({
            name: file.name,
            parents: [settings.folderId],
            mimeType: file.contentType,
            appProperties: { app_server_file_id: file.id, sha256: file.sha256 },
          }),
        },
        policy,
        async (response) => {
          if (response.status === 401) token = undefined;
          if (!response.ok) throw await failure('upload session refused', response);
          const location = response.headers.get('location');
          if (!location) throw new DriveError('upload session without a Location');
          return new URL(location, start);
        },
      );
      // The session URL is Drive's own answer: it must stay on the configured API origin.
      if (session.origin !== start.origin)
        throw new DriveError(`upload session on another origin (${session.origin})`);
      return pinnedFetch(
        session,
        {
          method: 'PUT',
          signal: AbortSignal.timeout(uploadTimeoutMs(file.size)),
          headers: { 'content-type': file.contentType, 'content-length': String(file.size) },
          body: open(),
          duplex: 'half',
        },
        policy,
        async (response) => {
          if (!response.ok) throw await failure('upload refused', response);
          const json = (await response.json()) as { id?: string };
          if (!json.id) throw new DriveError('upload answer without a file id');
          return { remoteId: json.id };
        },
      );
    },
  };
}
