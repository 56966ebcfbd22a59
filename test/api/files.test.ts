import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestApi, type TestApi } from '../support/api-app.ts';
import { serveOnLoopback } from '../support/serve-app.ts';

const MAX = 64 * 1024;
let api: TestApi;
let viewer: string;
let operator: string;
let admin: string;
const path = (p: string) => `${api.config.apiPrefix}${p}`;

// A real 1x1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), Buffer.alloc(120)]);
const PE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62), Buffer.from('PE\0\0'), Buffer.alloc(200)]);

function upload(token: string, bytes: Buffer, name: string, type: string) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
  return api.app.request(path('/files'), { method: 'POST', headers: bearer(token), body: form });
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const storedObjects = () => readdirSync(join(api.filesDir, 'objects'));
const tempFiles = () => readdirSync(join(api.filesDir, 'tmp'));

beforeAll(async () => {
  api = await startTestApi({ MAX_FILE_SIZE: String(MAX) });
  [viewer, operator, admin] = await Promise.all([
    api.userToken('viewer'),
    api.userToken('operator'),
    api.userToken('admin'),
  ]);
});
afterAll(async () => {
  await api?.close();
});

describe('uploads', () => {
  it.each([
    ['pixel.png', 'image/png', PNG, 'image/png'],
    ['doc.pdf', 'application/pdf', PDF, 'application/pdf'],
    ['notes.txt', 'text/plain', Buffer.from('héllo, wörld\nline two\n'), 'text/plain; charset=utf-8'],
  ])('round-trips %s with its sha256 and sniffed type', async (name, type, bytes, expectedType) => {
    const response = await upload(operator, bytes, name, type);
    expect(response.status).toBe(201);
    const file = (await response.json()) as {
      id: string;
      sha256: string;
      size: number;
      content_type: string;
    };
    expect(file).toMatchObject({ sha256: sha256(bytes), size: bytes.byteLength, content_type: expectedType });
    expect(storedObjects()).toContain(file.id);

    const download = await api.app.request(path(`/files/${file.id}/content`), { headers: bearer(viewer) });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe(expectedType);
    expect(download.headers.get('content-disposition')).toContain(`filename="${name}"`);
    expect(download.headers.get('etag')).toBe(`"${file.sha256}"`);
    expect(download.headers.get('content-security-policy')).toContain('sandbox');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    const body = Buffer.from(await download.arrayBuffer());
    expect(sha256(body)).toBe(file.sha256);
  });

  it('refuses an ELF executable named .png and labelled image/png with 415, storing nothing', async () => {
    const before = storedObjects().length;
    const response = await upload(operator, ELF, 'cat.png', 'image/png');
    expect(response.status).toBe(415);
    const body = (await response.json()) as { error_code: string; detail: { detected_type: string } };
    expect(body.error_code).toBe('unsupported_media_type');
    expect(body.detail.detected_type).toBe('application/x-elf');
    expect(storedObjects().length).toBe(before);
    expect(tempFiles()).toEqual([]);
  });

  it('refuses a PE executable labelled image/png, and binary junk labelled text/plain, with 415', async () => {
    expect((await upload(operator, PE, 'setup.png', 'image/png')).status).toBe(415);
    const junk = Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x82, 0x90, 0x00, 0x01]);
    expect((await upload(operator, junk, 'readme.txt', 'text/plain')).status).toBe(415);
  });

  it('answers 413 while streaming an oversize file, without reading the rest of the body', async () => {
    const boundary = 'x-boundary-1234';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n` +
        'Content-Type: text/plain\r\n\r\n',
    );
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    const totalChunks = 1024; // 16 MiB offered; the limit is 64 KiB
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled === 0) controller.enqueue(head);
        if (pulled >= totalChunks) {
          controller.enqueue(Buffer.from(`\r\n--${boundary}--\r\n`));
          controller.close();
          return;
        }
        pulled++;
        controller.enqueue(chunk);
      },
    });
    const before = storedObjects().length;
    const response = await api.app.request(path('/files'), {
      method: 'POST',
      headers: { ...bearer(operator), 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error_code: string }).error_code).toBe('payload_too_large');
    // The server stopped pulling soon after the limit: the body was neither read to the end nor buffered.
    expect(pulled * chunk.length).toBeLessThan(MAX * 8);
    expect(storedObjects().length).toBe(before);
    expect(tempFiles()).toEqual([]);
  });

  it('over real HTTP, a chunked client still sending gets the 413 answer, not a reset connection', async () => {
    const server = await serveOnLoopback(api.app.fetch);
    try {
      const boundary = 'real-http-boundary';
      const url = new URL(`${server.url}${path('/files')}`);
      const result = await new Promise<{ status: number; body: string; sentBytes: number }>(
        (resolve, reject) => {
          let sentBytes = 0;
          let answered = false;
          const req = httpRequest(
            url,
            {
              method: 'POST',
              headers: { ...bearer(operator), 'Content-Type': `multipart/form-data; boundary=${boundary}` },
            },
            (res) => {
              answered = true;
              let body = '';
              res.on('data', (chunk) => {
                body += chunk;
              });
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body, sentBytes }));
            },
          );
          req.on('error', (error) => (answered ? undefined : reject(error)));
          req.write(
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n` +
              'Content-Type: text/plain\r\n\r\n',
          );
          const chunk = Buffer.alloc(16 * 1024, 0x62);
          // Keep sending (up to 64 MiB) until the server answers; a server that buffered would never answer.
          const pump = () => {
            while (!answered && sentBytes < 64 * 1024 * 1024) {
              sentBytes += chunk.length;
              if (!req.write(chunk)) {
                req.once('drain', pump);
                return;
              }
            }
            if (!answered) req.end();
          };
          pump();
        },
      );
      expect(result.status).toBe(413);
      expect(JSON.parse(result.body)).toMatchObject({ error_code: 'payload_too_large' });
      expect(result.sentBytes).toBeLessThan(64 * 1024 * 1024);
      expect(tempFiles()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('answers 413 at once when Content-Length already says too large', async () => {
    const response = await api.app.request(path('/files'), {
      method: 'POST',
      headers: {
        ...bearer(operator),
        'Content-Type': 'multipart/form-data; boundary=abc',
        'Content-Length': String(MAX * 100),
      },
      body: '--abc--',
    });
    expect(response.status).toBe(413);
  });

  it('answers 415 for a non-multipart body and 422 without a "file" part', async () => {
    const json = await api.app.request(path('/files'), {
      method: 'POST',
      headers: { ...bearer(operator), 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(415);
    const form = new FormData();
    form.append('other', 'value');
    const noFile = await api.app.request(path('/files'), {
      method: 'POST',
      headers: bearer(operator),
      body: form,
    });
    expect(noFile.status).toBe(422);
  });

  it('keeps only a plain file name from a path-like client name', async () => {
    const response = await upload(operator, Buffer.from('plain text'), '../../etc/passwd', 'text/plain');
    expect(response.status).toBe(201);
    const file = (await response.json()) as { id: string; name: string };
    expect(file.name).toBe('passwd');
    expect(storedObjects()).toContain(file.id);
  });

  it('lets viewers read but not upload (403)', async () => {
    expect((await upload(viewer, PNG, 'x.png', 'image/png')).status).toBe(403);
  });
});

describe('downloads, listing and soft delete', () => {
  let fileId: string;
  const content = Buffer.from('0123456789abcdefghij');

  beforeAll(async () => {
    const response = await upload(operator, content, 'digits.txt', 'text/plain');
    fileId = ((await response.json()) as { id: string }).id;
  });

  it('serves byte ranges with 206 and Content-Range, and 416 outside the file', async () => {
    const get = (range: string) =>
      api.app.request(path(`/files/${fileId}/content`), { headers: { ...bearer(viewer), Range: range } });
    const first = await get('bytes=0-4');
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-4/${content.length}`);
    expect(await first.text()).toBe('01234');
    const suffix = await get('bytes=-3');
    expect(await suffix.text()).toBe('hij');
    const open = await get('bytes=15-');
    expect(await open.text()).toBe('fghij');
    const outside = await get('bytes=500-600');
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${content.length}`);
    expect(((await outside.json()) as { error_code: string }).error_code).toBe('range_not_satisfiable');
  });

  it('answers 304 to a conditional download with the ETag', async () => {
    const first = await api.app.request(path(`/files/${fileId}/content`), { headers: bearer(viewer) });
    const etag = first.headers.get('etag')!;
    await first.arrayBuffer();
    const again = await api.app.request(path(`/files/${fileId}/content`), {
      headers: { ...bearer(viewer), 'If-None-Match': etag },
    });
    expect(again.status).toBe(304);
  });

  it('lists files with metadata and paginates', async () => {
    const page = (await (
      await api.app.request(path('/files?limit=2'), { headers: bearer(viewer) })
    ).json()) as {
      items: { id: string }[];
      total: number;
      limit: number;
    };
    expect(page.items).toHaveLength(2);
    expect(page.total).toBeGreaterThanOrEqual(5);
    const meta = await api.app.request(path(`/files/${fileId}`), { headers: bearer(viewer) });
    expect(((await meta.json()) as { name: string }).name).toBe('digits.txt');
  });

  it('soft-deletes for admins only: the row is marked, the bytes stay, reads answer 404', async () => {
    expect(
      (await api.app.request(path(`/files/${fileId}`), { method: 'DELETE', headers: bearer(operator) }))
        .status,
    ).toBe(403);
    const deleted = await api.app.request(path(`/files/${fileId}`), {
      method: 'DELETE',
      headers: bearer(admin),
    });
    expect(deleted.status).toBe(200);
    expect(((await deleted.json()) as { deleted_at: string | null }).deleted_at).not.toBeNull();
    expect(storedObjects()).toContain(fileId);
    const [row] = await api.deps.db.app.query<{ deleted_by: string }>(
      'select deleted_by from files where id = $1',
      [fileId],
    );
    expect(row!.deleted_by).toBe('admin');
    expect((await api.app.request(path(`/files/${fileId}`), { headers: bearer(viewer) })).status).toBe(404);
    expect(
      (await api.app.request(path(`/files/${fileId}/content`), { headers: bearer(viewer) })).status,
    ).toBe(404);
    const audit = await api.deps.db.app.query(
      "select 1 from audit_log where action = 'file.delete' and target_id = $1",
      [fileId],
    );
    expect(audit).toHaveLength(1);
  });
});
