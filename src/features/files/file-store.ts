// FileStore: the bytes of uploads on the local volume (FILES_BASE_DIR). Keys are generated UUIDs and are
// checked against a strict pattern before they become a path, so no client input ever reaches the file
// system. Used by the files API and by clean-up jobs (list + remove).
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface StoredObject {
  key: string;
  size: number;
  modifiedAt: Date;
}

export interface FileStore {
  readonly baseDir: string;
  /** Streams source to a new object (written to a temp file, then renamed); a throwing source leaves nothing. */
  put(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<{ key: string; size: number }>;
  /** The object's bytes, optionally a byte range (inclusive end), as a web stream. */
  open(key: string, range?: { start: number; end: number }): ReadableStream<Uint8Array>;
  stat(key: string): Promise<StoredObject | undefined>;
  list(): Promise<StoredObject[]>;
  /** Removes the object; false when it did not exist. */
  remove(key: string): Promise<boolean>;
}

const KEY_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class InvalidStorageKeyError extends Error {}

export function isStorageKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

export function createLocalFileStore(baseDir: string): FileStore {
  const objectsDir = join(baseDir, 'objects');
  const tempDir = join(baseDir, 'tmp');
  const pathOf = (key: string) => {
    if (!isStorageKey(key)) throw new InvalidStorageKeyError('invalid storage key');
    return join(objectsDir, key);
  };
  let ready: Promise<unknown> | undefined;
  const ensureDirs = () => {
    ready ??= Promise.all([mkdir(objectsDir, { recursive: true }), mkdir(tempDir, { recursive: true })]);
    return ready;
  };

  return {
    baseDir,
    async put(source) {
      await ensureDirs();
      const key = randomUUID();
      const temp = join(tempDir, `${key}.part`);
      let size = 0;
      const counted = async function* () {
        for await (const chunk of source) {
          size += chunk.byteLength;
          yield chunk;
        }
      };
      try {
        await pipeline(Readable.from(counted()), createWriteStream(temp, { flags: 'wx', mode: 0o640 }));
        await rename(temp, pathOf(key));
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      return { key, size };
    },
    open(key, range) {
      const stream = createReadStream(pathOf(key), range ? { start: range.start, end: range.end } : {});
      return Readable.toWeb(stream) as ReadableStream<Uint8Array>;
    },
    async stat(key) {
      try {
        const info = await stat(pathOf(key));
        return { key, size: info.size, modifiedAt: info.mtime };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async list() {
      await ensureDirs();
      const names = (await readdir(objectsDir)).filter(isStorageKey);
      const objects = await Promise.all(names.map((name) => this.stat(name)));
      return objects.filter((object): object is StoredObject => object !== undefined);
    },
    async remove(key) {
      const path = pathOf(key);
      try {
        await stat(path);
      } catch {
        return false;
      }
      await rm(path, { force: true });
      return true;
    },
  };
}
