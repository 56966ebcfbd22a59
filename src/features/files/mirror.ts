// The file mirror: a copy of every upload in a second place (Google Drive: mirror-drive.ts), made after the
// upload answered. Nothing is lost on failure: the upload commits its row with mirror_status 'pending', and the
// worker (every replica, claims with SKIP LOCKED and a lease) retries with exponential backoff, capped at an
// hour, until the copy exists; status, attempts and the last error are visible on the file (API).
import type { SqlClient } from '../../db/index.ts';
import type { Logger } from '../../observability/logger.ts';
import type { FileStore } from './file-store.ts';

export interface MirroredFile {
  id: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
}

export interface FileMirror {
  readonly name: string;
  /** Copies one file; `open` streams its bytes from the volume. Throws when the copy was not made. */
  upload(file: MirroredFile, open: () => ReadableStream<Uint8Array>): Promise<{ remoteId: string }>;
}

const BATCH = 5;
/** An attempt's lease: a replica that dies mid-upload leaves the file to be retried after this. */
const LEASE_SECONDS = 900;
const MAX_BACKOFF_SECONDS = 3600;

export interface MirrorWorker {
  /** Mirrors the files due at `now`; returns how many copies were made. */
  runDue(now?: Date): Promise<number>;
  /** Starts polling every `pollSeconds` (and runs at once). */
  start(): void;
  stop(): Promise<void>;
  /** Asks for a run soon (after an upload). */
  kick(): void;
}

type DueFile = {
  id: string;
  name: string;
  content_type: string;
  size: string | number;
  sha256: string;
  storage_key: string;
  mirror_attempts: number;
};

export function createMirrorWorker(deps: {
  db: SqlClient;
  store: FileStore;
  mirror: FileMirror;
  logger: Logger;
  retryBaseSeconds: number;
  pollSeconds: number;
}): MirrorWorker {
  const { db, store, mirror } = deps;
  const log = deps.logger.child({ component: 'file-mirror', mirror: mirror.name });
  let running: Promise<number> | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function claim(now: Date): Promise<DueFile[]> {
    return db.query<DueFile>(
      `update files f set mirror_attempts = f.mirror_attempts + 1,
              mirror_next_attempt_at = $1::timestamptz + make_interval(secs => $2)
       where f.id in (
         select id from files
         where mirror_status in ('pending', 'retrying') and mirror_next_attempt_at <= $1 and deleted_at is null
         order by mirror_next_attempt_at limit $3 for update skip locked)
       returning f.id, f.name, f.content_type, f.size, f.sha256, f.storage_key, f.mirror_attempts`,
      [now.toISOString(), LEASE_SECONDS, BATCH],
    );
  }

  async function mirrorOne(file: DueFile, now: Date): Promise<boolean> {
    try {
      const { remoteId } = await mirror.upload(
        {
          id: file.id,
          name: file.name,
          contentType: file.content_type,
          size: Number(file.size),
          sha256: file.sha256,
        },
        () => store.open(file.storage_key),
      );
      await db.query(
        `update files set mirror_status = 'mirrored', mirror_remote_id = $2, mirror_error = null,
                mirror_next_attempt_at = null, mirrored_at = now() where id = $1`,
        [file.id, remoteId],
      );
      log.info({ file_id: file.id, remote_id: remoteId, attempt: file.mirror_attempts }, 'file mirrored');
      return true;
    } catch (error) {
      const backoff = Math.min(MAX_BACKOFF_SECONDS, deps.retryBaseSeconds * 2 ** (file.mirror_attempts - 1));
      const message = (error as Error).message.slice(0, 500);
      await db.query(
        `update files set mirror_status = 'retrying', mirror_error = $2,
                mirror_next_attempt_at = $3::timestamptz + make_interval(secs => $4) where id = $1`,
        [file.id, message, now.toISOString(), backoff],
      );
      log.warn(
        { file_id: file.id, attempt: file.mirror_attempts, retry_in_seconds: backoff, err: message },
        'file mirror attempt failed',
      );
      return false;
    }
  }

  async function runDue(now = new Date()): Promise<number> {
    let copied = 0;
    for (;;) {
      const due = await claim(now);
      for (const file of due) if (await mirrorOne(file, now)) copied++;
      if (due.length < BATCH) return copied;
    }
  }

  /** One run at a time per replica; a kick during a run is served by the next poll or kick. */
  function runSoon() {
    if (running) return;
    running = runDue()
      .catch((error) => {
        log.error({ err: error }, 'file mirror run failed');
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
  }

  return {
    runDue,
    kick: runSoon,
    start() {
      if (timer) return;
      timer = setInterval(runSoon, deps.pollSeconds * 1000);
      timer.unref();
      runSoon();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
