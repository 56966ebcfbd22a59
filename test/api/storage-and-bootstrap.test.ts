import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentDisposition, parseRange } from '../../src/features/files/api/http-ranges.ts';
import { createLocalFileStore, InvalidStorageKeyError } from '../../src/features/files/file-store.ts';
import { ensureBootstrapAdmin } from '../../src/features/users/users.service.ts';
import { ADMIN, startTestApi, type TestApi } from '../support/api-app.ts';

describe('FileStore on the local volume', () => {
  const base = mkdtempSync(join(tmpdir(), 'store-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('puts, stats, lists and removes objects under generated keys', async () => {
    const store = createLocalFileStore(base);
    const { key, size } = await store.put([Buffer.from('abc'), Buffer.from('def')]);
    expect(size).toBe(6);
    expect((await store.stat(key))?.size).toBe(6);
    expect((await store.list()).map((object) => object.key)).toEqual([key]);
    const chunks: Uint8Array[] = [];
    for await (const chunk of store.open(key, { start: 2, end: 3 })) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('cd');
    expect(await store.remove(key)).toBe(true);
    expect(await store.remove(key)).toBe(false);
    expect(await store.list()).toEqual([]);
  });

  it('leaves nothing behind when the source fails, and refuses keys that are not its own', async () => {
    const store = createLocalFileStore(base);
    async function* failing() {
      yield Buffer.from('partial');
      throw new Error('client went away');
    }
    await expect(store.put(failing())).rejects.toThrow('client went away');
    expect(readdirSync(join(base, 'tmp'))).toEqual([]);
    for (const key of ['../../etc/passwd', 'objects', '']) {
      expect(() => store.open(key)).toThrow(InvalidStorageKeyError);
      await expect(store.stat(key)).rejects.toThrow(InvalidStorageKeyError);
    }
  });
});

describe('Range and Content-Disposition', () => {
  it('parses one byte range and refuses ranges outside the file', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-200', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-2', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeUndefined();
    expect(parseRange('items=0-1', 100)).toBeUndefined();
  });

  it('quotes any name safely, keeping the exact name in filename*', () => {
    const header = contentDisposition('report "final"\r\n.pdf');
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toContain('filename="report _final___.pdf"');
    expect(contentDisposition('résumé.txt')).toContain("filename*=UTF-8''r%C3%A9sum%C3%A9.txt");
  });
});

describe('bootstrap admin', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('is kept in sync with ADMIN_PASSWORD and re-enabled as admin at start', async () => {
    const db = api.deps.db.app.drizzle;
    expect(await ensureBootstrapAdmin(db, api.config.auth)).toBe('unchanged');
    await api.deps.db.app.query("update users set role = 'viewer', disabled = true where username = $1", [
      ADMIN.username,
    ]);
    const rotated = { ...api.config.auth, adminPassword: 'rotated-admin-password-99' };
    expect(await ensureBootstrapAdmin(db, rotated)).toBe('updated');
    await expect(api.login(ADMIN.username, ADMIN.password)).rejects.toThrow('401');
    const token = await api.login(ADMIN.username, 'rotated-admin-password-99');
    const me = await api.app.request(`${api.config.apiPrefix}/auth/me`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(((await me.json()) as { role: string }).role).toBe('admin');
  });
});
