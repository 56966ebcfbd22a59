// The one line a refused start prints, for every entry (Node and Deno): what is wrong and what fixes it.
import { maskSecretsInText } from '../observability/redact.ts';

/** A reason to refuse to start: printed as one line, then the process exits non-zero. */
export class StartupRefused extends Error {}

/**
 * A listen failure as the one line an operator needs, naming the variable that fixes it. Node's net errors and
 * Deno.serve's (Deno.errors.AddrInUse …) both carry the errno name in `code`; anything else is returned as is.
 */
export function listenRefusal(error: unknown, variable: string, host: string, port: number): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') {
    return new StartupRefused(
      `startup error: port ${port} is in use on ${host}; stop the other process or set ${variable}=<a free port>`,
    );
  }
  if (code === 'EACCES') {
    return new StartupRefused(
      `startup error: not allowed to listen on port ${port}; set ${variable} to a port above 1023`,
    );
  }
  if (code === 'EADDRNOTAVAIL') {
    return new StartupRefused(
      `startup error: ${host} is not an address of this machine; set HOST=127.0.0.1 (or 0.0.0.0 in a container)`,
    );
  }
  return error;
}

/** What a failed start prints: a refusal's own line, or the error's message with any secret masked. */
export function startupFailureLine(error: unknown): string {
  if (error instanceof StartupRefused) return error.message;
  // Unexpected failures can carry a connection string; the start line must never show a secret.
  return `startup error: ${maskSecretsInText(error instanceof Error ? error.message : String(error))}`;
}
