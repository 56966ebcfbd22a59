// The small file-store interface job functions see: files live under config.files.baseDir.
// Paths are relative to the volume; anything that would step outside it is refused.
import { readdir, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

export interface StoredFileInfo {
  /** Relative to the volume root, with `/` separators. */
  path: string;
  size: number;
  modifiedAt: Date;
}

export interface FileStore {
  readonly baseDir: string;
  /** Every regular file under the volume (recursively). */
  list(): AsyncIterable<StoredFileInfo>;
  remove(path: string): Promise<void>;
}

export function createVolumeFileStore(baseDir: string): FileStore {
  const root = resolve(baseDir);
  const inside = (path: string) => {
    const full = resolve(root, path);
    const rel = relative(root, full);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      throw new Error(`path outside the file volume: ${path}`);
    }
    return full;
  };
  async function* walk(dir: string): AsyncIterable<StoredFileInfo> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) yield* walk(full);
      else if (entry.isFile()) {
        const info = await stat(full);
        yield { path: relative(root, full).split(sep).join('/'), size: info.size, modifiedAt: info.mtime };
      }
    }
  }
  return {
    baseDir: root,
    list: () => walk(root),
    remove: async (path) => rm(inside(path), { force: true }),
  };
}
