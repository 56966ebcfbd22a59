// The Google Drive mirror against a local fake of Google's token endpoint and the Drive v3 resumable upload
// (test/support/fake-drive.ts): an upload through the API is committed as 'pending', the worker signs in as the
// service account and copies the bytes with their metadata into the configured folder, and the file's API view
// shows the Drive id; a failed attempt is kept ('retrying', attempts, error) and retried after the backoff until
// it succeeds. Config refuses a half-configured mirror and a key file that is not a service account's.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.ts';
import { createDriveMirror } from '../../src/features/files/mirror-drive.ts';
import { bearer, startTestApi, type TestApi } from '../support/api-app.ts';
import { type FakeDrive, startFakeDrive } from '../support/fake-drive.ts';

const FOLDER = 'folder-0123456789';
let drive: FakeDrive;
let api: TestApi;
let token: string;
const dir = mkdtempSync(join(tmpdir(), 'app-server-mirror-'));

interface FileView {
  id: string;
  sha256: string;
  mirror: {
    status: string;
    attempts: number;
    remote_id: string | null;
    error: string | null;
    next_attempt_at: string | null;
    mirrored_at: string | null;
  } | null;
}

async function upload(name: string, content: Buffer): Promise<FileView> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(content)], { type: 'text/plain' }), name);
  const response = await api.app.request(`${api.config.apiPrefix}/files`, {
    method: 'POST',
    headers: bearer(token),
    body: form,
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as FileView;
}

async function view(id: string): Promise<FileView> {
  const response = await api.app.request(`${api.config.apiPrefix}/files/${id}`, { headers: bearer(token) });
  expect(response.status).toBe(200);
  return (await response.json()) as FileView;
}

beforeAll(async () => {
  drive = await startFakeDrive();
  const keyFile = join(dir, 'service-account.json');
  writeFileSync(keyFile, drive.serviceAccountKey());
  api = await startTestApi({
    GDRIVE_ENABLE: 'true',
    GDRIVE_CREDENTIALS: keyFile,
    GDRIVE_FOLDER_ID: FOLDER,
    GDRIVE_API_URL: drive.url,
    GDRIVE_ALLOW_PRIVATE: 'true',
    GDRIVE_RETRY_BASE_SECONDS: '60',
    ALLOWED_FILE_TYPES: 'text/plain',
  });
  token = await api.userToken('operator');
});
afterAll(async () => {
  await api?.deps.mirror?.stop();
  await api?.close();
  await drive?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Google Drive mirror', () => {
  it('copies an upload into the folder as the service account and shows the Drive id on the file', async () => {
    const content = Buffer.from(`report ${randomBytes(8).toString('hex')}\n`.repeat(2000));
    const uploaded = await upload('report.txt', content);
    expect(uploaded.mirror).toMatchObject({ status: 'pending', attempts: 0, remote_id: null });

    // The upload kicked the worker; a run settles whatever it left.
    await api.deps.mirror!.stop();
    await api.deps.mirror!.runDue();

    const [copy] = drive.files;
    expect(copy).toBeDefined();
    expect(copy!.bytes.equals(content)).toBe(true);
    expect(copy!.metadata).toMatchObject({
      name: 'report.txt',
      parents: [FOLDER],
      mimeType: 'text/plain; charset=utf-8',
      appProperties: { app_server_file_id: uploaded.id, sha256: uploaded.sha256 },
    });
    expect(drive.tokenRequests[0]).toMatchObject({ scope: 'https://www.googleapis.com/auth/drive.file' });

    const mirrored = await view(uploaded.id);
    expect(mirrored.mirror).toMatchObject({
      status: 'mirrored',
      attempts: 1,
      remote_id: copy!.id,
      error: null,
    });
    expect(mirrored.mirror!.mirrored_at).not.toBeNull();
  });

  it('keeps a failed copy and retries it after the backoff until Drive takes it', async () => {
    const before = drive.files.length;
    drive.failUploads(2);
    const started = Date.now();
    const uploaded = await upload('retry.txt', Buffer.from('retry me\n'));
    // The upload's own kick makes the first attempt (on the real clock); the test drives the rest.
    await api.deps.mirror!.stop();
    await api.deps.mirror!.runDue(new Date());
    const settled = Date.now();
    let state = (await view(uploaded.id)).mirror!;
    expect(state).toMatchObject({ status: 'retrying', attempts: 1, remote_id: null });
    expect(state.error).toContain('HTTP 503');
    // First retry after GDRIVE_RETRY_BASE_SECONDS (60 s), then doubling.
    const firstRetry = Date.parse(state.next_attempt_at!);
    expect(firstRetry).toBeGreaterThanOrEqual(started + 60_000);
    expect(firstRetry).toBeLessThanOrEqual(settled + 60_000);

    // Not due yet: nothing is tried.
    await api.deps.mirror!.runDue(new Date(firstRetry - 1000));
    expect((await view(uploaded.id)).mirror!.attempts).toBe(1);

    await api.deps.mirror!.runDue(new Date(firstRetry));
    state = (await view(uploaded.id)).mirror!;
    expect(state).toMatchObject({ status: 'retrying', attempts: 2 });
    expect(Date.parse(state.next_attempt_at!) - firstRetry).toBe(120_000);

    await api.deps.mirror!.runDue(new Date(firstRetry + 120_000));
    state = (await view(uploaded.id)).mirror!;
    expect(state).toMatchObject({ status: 'mirrored', attempts: 3, error: null });
    expect(drive.files).toHaveLength(before + 1);
    expect(drive.files.at(-1)!.bytes.toString()).toBe('retry me\n');
  });
});

describe('Google Drive mirror outbound wall', () => {
  it("sends Google's client through the pinned fetch: a private Drive address is refused before any request", async () => {
    const keyFile = join(dir, 'walled.json');
    writeFileSync(keyFile, drive.serviceAccountKey());
    const tokensBefore = drive.tokenRequests.length;
    const mirror = createDriveMirror(
      {
        credentialsFile: keyFile,
        folderId: FOLDER,
        apiUrl: drive.url,
        allowPrivate: false,
        retryBaseSeconds: 60,
        pollSeconds: 60,
      },
      false,
    );
    const bytes = new Blob(['walled\n']).stream();
    const file = { id: 'x', name: 'walled.txt', contentType: 'text/plain', size: 7, sha256: '0'.repeat(64) };
    await expect(mirror.upload(file, () => bytes)).rejects.toThrow(/127\.0\.0\.1/);
    // The token request (google-auth-library) was refused too: the fake never saw it.
    expect(drive.tokenRequests.length).toBe(tokensBefore);
  });
});

describe('Google Drive mirror configuration', () => {
  it('refuses GDRIVE_ENABLE=true without credentials or folder, naming the variable', () => {
    expect(() => parseConfig({ GDRIVE_ENABLE: 'true', GDRIVE_FOLDER_ID: FOLDER })).toThrow(
      expect.objectContaining({ variable: 'GDRIVE_CREDENTIALS' }),
    );
    expect(() => parseConfig({ GDRIVE_ENABLE: 'true', GDRIVE_CREDENTIALS: '/x.json' })).toThrow(ConfigError);
    expect(parseConfig({}).config.gdrive).toBeUndefined();
  });

  it('refuses a key file that is not a service account key, without printing the key', () => {
    const bad = join(dir, 'oauth-client.json');
    writeFileSync(bad, JSON.stringify({ installed: { client_id: 'x', client_secret: 'very-secret-value' } }));
    const settings = parseConfig({ GDRIVE_ENABLE: 'true', GDRIVE_CREDENTIALS: bad, GDRIVE_FOLDER_ID: FOLDER })
      .config.gdrive!;
    expect(() => createDriveMirror(settings, false)).toThrow(/not a service-account key/);
    try {
      createDriveMirror(settings, false);
    } catch (error) {
      expect((error as Error).message).not.toContain('very-secret-value');
    }
    expect(() =>
      createDriveMirror({ ...settings, credentialsFile: join(dir, 'missing.json') }, false),
    ).toThrow(/GDRIVE_CREDENTIALS: cannot read/);
  });
});
