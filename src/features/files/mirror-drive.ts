// The Google Drive v3 adapter of the file mirror, on Google's official client: @googleapis/drive for the
// upload (files.create with the metadata and the bytes streamed from the volume, so no file is held in memory
// whole) and google-auth-library's JWT client for the service account's sign-in. Both speak HTTP through one
// gaxios transporter whose `fetchImplementation` is the pinned outbound fetch (src/lib/pinned-fetch.ts):
// token and upload requests connect only to checked addresses, redirects are never followed.
// google-auth-library posts the JWT assertion to Google's token endpoint (a constant in the library); the key
// file's token_uri is honoured here: that one URL is sent to token_uri (the same URL for Google's own keys).
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { drive } from '@googleapis/drive';
import { gaxios, JWT } from 'google-auth-library';
import type { Config } from '../../config/index.ts';
import { createPinnedFetch } from '../../lib/pinned-fetch.ts';
import type { FileMirror, MirroredFile } from './mirror.ts';

const DRIVE_SCOPE = 'https://www.googleapis.com/auth/drive.file';
/** Where google-auth-library sends the service account's assertion. */
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
/** A token request that hangs is abandoned (and retried later) after this. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Bytes move at 64 KiB/s at least, or the attempt is abandoned. */
const uploadTimeoutMs = (size: number) => REQUEST_TIMEOUT_MS + Math.ceil(size / 65_536) * 1000;

interface ServiceAccountKey {
  clientEmail: string;
  privateKey: string;
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
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(parsed.private_key))
    throw new Error(`GDRIVE_CREDENTIALS: the private_key in ${path} is not a PEM private key`);
  return { clientEmail: parsed.client_email, privateKey: parsed.private_key, tokenUri: parsed.token_uri };
}

export class DriveError extends Error {}

/** One line for the file's mirror status: what was refused and Drive's own words, never a stack. */
function driveFailure(error: unknown): Error {
  if (error instanceof gaxios.GaxiosError) {
    const what = String(error.config?.url) === GOOGLE_TOKEN_URL ? 'token request refused' : 'upload refused';
    if (error.status) {
      const data = error.response?.data;
      const text = (typeof data === 'string' ? data : JSON.stringify(data ?? '')).slice(0, 300);
      return new DriveError(`${what}: HTTP ${error.status}${text ? ` ${text}` : ''}`);
    }
    // fetch's own "fetch failed" names nothing: the cause says what (refused address, reset, timeout).
    const cause = error.cause as (Error & { cause?: Error }) | undefined;
    return new DriveError(`${what}: ${cause?.cause?.message ?? cause?.message ?? error.message}`);
  }
  return error as Error;
}

export function createDriveMirror(settings: NonNullable<Config['gdrive']>, production: boolean): FileMirror {
  const key = loadServiceAccountKey(settings.credentialsFile);
  const pinned = createPinnedFetch({
    allowPrivate: settings.allowPrivate,
    production,
    flag: 'GDRIVE_ALLOW_PRIVATE',
  });
  // One transporter carries the token requests and the Drive calls (the Drive client asks the JWT client).
  const auth = new JWT({
    email: key.clientEmail,
    key: key.privateKey,
    scopes: [DRIVE_SCOPE],
    transporterOptions: {
      fetchImplementation: (input, init) =>
        pinned.fetch(String(input) === GOOGLE_TOKEN_URL ? key.tokenUri : input, init),
      timeout: REQUEST_TIMEOUT_MS,
    },
  });
  const rootUrl = `${settings.apiUrl}/`;
  const client = drive({ version: 'v3', auth, rootUrl });

  return {
    name: 'gdrive',
    async upload(file: MirroredFile, open: () => ReadableStream<Uint8Array>) {
      try {
        const response = await client.files.create(
          {
            supportsAllDrives: true,
            fields: 'id',
            requestBody: {
              name: file.name,
              parents: [settings.folderId],
              mimeType: file.contentType,
              appProperties: { app_server_file_id: file.id, sha256: file.sha256 },
            },
            media: { mimeType: file.contentType, body: Readable.fromWeb(open() as NodeReadableStream) },
          },
          // The mirror worker owns retries (backoff per file); a streamed body cannot be replayed anyway.
          // The media URL is built from the call's own rootUrl (the client-wide one only rewrites plain URLs).
          { retry: false, timeout: uploadTimeoutMs(file.size), rootUrl },
        );
        if (!response.data.id) throw new DriveError('upload answer without a file id');
        return { remoteId: response.data.id };
      } catch (error) {
        throw driveFailure(error);
      }
    },
  };
}
