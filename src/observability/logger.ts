// pino, JSON by default; pretty only when a person runs the origin locally in a terminal.
import { createRequire } from 'node:module';
import pino, { type Logger, stdSerializers } from 'pino';
import { isSecretFieldName, MASK, maskSecretsInText, SECRET_FIELD_NAMES } from './redact.ts';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: string;
  pretty?: boolean;
  /** Where lines go; tests pass a stream to read them back. */
  destination?: pino.DestinationStream;
  base?: Record<string, unknown>;
}

const redactPaths = SECRET_FIELD_NAMES.flatMap((name) => {
  const key = /^[a-z_]+$/.test(name) ? name : `["${name}"]`;
  const join = (prefix: string) => (key.startsWith('[') ? `${prefix}${key}` : `${prefix}.${key}`);
  return [
    key.startsWith('[') ? `*${key}` : `*.${key}`,
    join('req.headers'),
    join('headers'),
    key.startsWith('[') ? '' : key,
  ];
}).filter(Boolean);

function serializeError(err: unknown) {
  const serialized = stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  if (typeof serialized?.message === 'string') serialized.message = maskSecretsInText(serialized.message);
  if (typeof serialized?.stack === 'string') serialized.stack = maskSecretsInText(serialized.stack);
  return serialized;
}

/**
 * Masks secrets a few levels deep: values of secret-named fields (jwt_secret_key, client_secret, ...) wherever
 * they sit, and credentials inside string values (a DB URL in a field, say). pino's redact paths only reach
 * the levels they name.
 */
function maskStrings(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskSecretsInText(value);
  if (
    depth <= 0 ||
    value === null ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    value instanceof Error
  ) {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      isSecretFieldName(key) && item !== null && item !== undefined ? MASK : maskStrings(item, depth - 1);
  }
  return out;
}

function prettyTransport(): pino.TransportSingleOptions | undefined {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } };
  } catch {
    return undefined; // pino-pretty is a dev dependency; production images log JSON.
  }
}

export function createLogger(options: LoggerOptions): Logger {
  const transport = options.pretty && !options.destination ? prettyTransport() : undefined;
  const pinoOptions: pino.LoggerOptions = {
    level: options.level,
    base: options.base ?? { service: 'app-server' },
    redact: { paths: redactPaths, censor: MASK },
    serializers: { err: serializeError, error: serializeError },
    hooks: {
      // Free-text messages can carry a DB URL with its password; mask before writing.
      logMethod(args, method) {
        const masked = args.map((arg) => (typeof arg === 'string' ? maskSecretsInText(arg) : arg));
        method.apply(this, masked as Parameters<typeof method>);
      },
    },
    formatters: { log: (object) => maskStrings(object, 6) as Record<string, unknown> },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(transport ? { transport } : {}),
  };
  if (options.destination) return pino(pinoOptions, options.destination);
  if (transport) return pino(pinoOptions);
  // stdout without blocking the event loop on every line: lines queue while a write is in flight and go
  // out together (whole lines only); pino flushes the rest synchronously when the process exits.
  return pino(pinoOptions, pino.destination({ dest: 1, sync: false }));
}

const unmaskedSiblings = new WeakMap<Logger, Logger>();

/**
 * For lines whose every field the caller built from checked values (the request log): the same destination,
 * level, base fields and time format as `logger`, without its per-line masking (redact paths, the formatter
 * that walks every field, the message hook), which is most of what a line costs. Free text the caller puts in
 * (a path) it masks itself.
 */
export function unmaskedSibling(logger: Logger): Logger {
  let sibling = unmaskedSiblings.get(logger);
  if (!sibling) {
    const destination = (logger as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym];
    sibling = pino(
      { level: logger.level, base: logger.bindings(), timestamp: pino.stdTimeFunctions.isoTime },
      destination,
    );
    unmaskedSiblings.set(logger, sibling);
  }
  return sibling;
}
