// Receives one multipart upload as a stream: the bytes go straight to the FileStore while their size,
// sha256 and content type are checked. Past MAX_FILE_SIZE the request stops being read (413); content
// whose sniffed type is not allowed is refused (415) whatever the client claimed.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import busboy from 'busboy';
import { fileTypeFromBuffer } from 'file-type';
import { AppError } from '../../http/errors.ts';
import type { FileStore } from './file-store.ts';

export interface UploadLimits {
  maxFileSize: number;
  allowedTypes: readonly string[];
}

export interface ReceivedUpload {
  key: string;
  name: string;
  declaredType: string | null;
  contentType: string;
  size: number;
  sha256: string;
}

/** file-type needs this many leading bytes to recognise any format it knows. */
const SNIFF_BYTES = 4100;
/** Room for multipart boundaries and part headers around the file. */
const MULTIPART_OVERHEAD = 64 * 1024;
export const UPLOAD_FIELD = 'file';

export async function receiveUpload(
  request: Request,
  store: FileStore,
  limits: UploadLimits,
): Promise<ReceivedUpload> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data;/i.test(contentType)) {
    throw new AppError(
      415,
      'unsupported_media_type',
      'Upload the file as multipart/form-data in a field named "file"',
    );
  }
  const declaredLength = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declaredLength > limits.maxFileSize + MULTIPART_OVERHEAD) throw tooLarge(limits.maxFileSize);
  if (!request.body) throw new AppError(422, 'validation_error', 'The request has no body');

  const source = Readable.fromWeb(request.body as import('node:stream/web').ReadableStream);
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      limits: { files: 1, fileSize: limits.maxFileSize + 1, fields: 10, fieldSize: 1024, parts: 20 },
    });
  } catch {
    throw new AppError(400, 'bad_request', 'The multipart body is malformed (no boundary)');
  }

  return new Promise<ReceivedUpload>((resolve, reject) => {
    let settled = false;
    let fileStream: Readable | undefined;
    let receiving: Promise<ReceivedUpload> | undefined;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      // Stop reading the request: an oversize or refused upload is not drained to the end.
      source.unpipe(parser);
      source.destroy();
      fileStream?.destroy();
      // Answer once the store has removed its partial (or, after a late parse error, complete) file.
      void (receiving ?? Promise.resolve(undefined))
        .then(
          (upload) => upload && store.remove(upload.key),
          () => {},
        )
        .finally(() => reject(error));
    };
    parser.on('file', (field, stream, info) => {
      if (field !== UPLOAD_FIELD || receiving) {
        stream.resume();
        return;
      }
      fileStream = stream;
      // busboy stops at maxFileSize + 1 bytes; react at once rather than after it skipped the rest.
      stream.on('limit', () => fail(tooLarge(limits.maxFileSize)));
      receiving = storeFile(stream, info, store, limits);
      receiving.catch(fail);
    });
    parser.on('error', () =>
      fail(new AppError(400, 'bad_request', 'The multipart body is malformed or was cut short')),
    );
    parser.on('close', () => {
      if (!receiving) {
        fail(new AppError(422, 'validation_error', 'No file part named "file" in the upload'));
        return;
      }
      receiving.then((upload) => {
        if (settled) return;
        settled = true;
        resolve(upload);
      }, fail);
    });
    source.on('error', fail);
    source.pipe(parser);
  });
}

async function storeFile(
  stream: Readable,
  info: busboy.FileInfo,
  store: FileStore,
  limits: UploadLimits,
): Promise<ReceivedUpload> {
  const hash = createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  let sniffed: string | undefined;
  let couldBeText = true;
  const utf8 = new TextDecoder('utf-8', { fatal: true });

  const decide = async () => {
    const detected = await fileTypeFromBuffer(head);
    sniffed = detected?.mime;
    if (sniffed) couldBeText = false;
    if (sniffed && !limits.allowedTypes.includes(sniffed)) throw refusedType(sniffed, info.mimeType);
  };
  const checkText = (chunk: Uint8Array, last: boolean) => {
    if (!couldBeText) return;
    try {
      if (chunk.includes(0)) throw new Error('NUL byte');
      utf8.decode(chunk, { stream: !last });
    } catch {
      couldBeText = false;
    }
  };

  async function* inspected() {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.byteLength;
      if (size > limits.maxFileSize) throw tooLarge(limits.maxFileSize);
      hash.update(chunk);
      if (sniffed === undefined && head.byteLength < SNIFF_BYTES) {
        head = Buffer.concat([head, chunk]);
        if (head.byteLength >= SNIFF_BYTES) await decide();
      }
      checkText(chunk, false);
      yield chunk;
    }
    if (size === 0) throw new AppError(422, 'validation_error', 'The uploaded file is empty');
    if (head.byteLength < SNIFF_BYTES) await decide();
    checkText(new Uint8Array(0), true);
  }

  const stored = await store.put(inspected());
  let contentType = sniffed ?? (couldBeText ? 'text/plain' : 'application/octet-stream');
  if (!limits.allowedTypes.includes(contentType)) {
    await store.remove(stored.key);
    throw refusedType(contentType, info.mimeType);
  }
  if (contentType === 'text/plain') contentType = 'text/plain; charset=utf-8';
  return {
    key: stored.key,
    name: cleanFileName(info.filename),
    declaredType: withoutControlCharacters(info.mimeType ?? '').slice(0, 127) || null,
    contentType,
    size,
    sha256: hash.digest('hex'),
  };
}

const tooLarge = (max: number) =>
  new AppError(413, 'payload_too_large', `The file is larger than the limit of ${max} bytes`, {
    max_file_size: max,
  });

const refusedType = (detected: string, declared: string) =>
  new AppError(415, 'unsupported_media_type', `Files of type ${detected} are not accepted`, {
    detected_type: detected,
    declared_type: declared || null,
  });

/** The client's name reduced to a plain file name: no directories, no control characters, bounded. */
export function cleanFileName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = withoutControlCharacters(base).trim().replace(/^\.+/, '');
  return cleaned.slice(0, 200) || 'upload';
}

function withoutControlCharacters(text: string): string {
  return [...text].filter((ch) => ch.charCodeAt(0) > 0x1f && ch.charCodeAt(0) !== 0x7f).join('');
}
