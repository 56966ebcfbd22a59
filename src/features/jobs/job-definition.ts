// What makes a job definition acceptable: a registered function whose schema accepts the arguments (secret
// arguments merged with the stored ones, checked in the clear, stored sealed), a valid cron in a valid zone,
// and, for an edit, the version the editor saw.
import { AppError } from '../../http/errors.ts';
import type { ValidationIssue } from '../../http/validation.ts';
import type { JobRegistry } from '../../job-functions/registry.ts';
import { cronProblems } from '../../scheduler/cron.ts';
import { mergeSecretInput, openSecrets, sealSecrets } from '../../secrets/schema-secrets.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';
import { toJob } from './jobs.mapping.ts';
import type { JobRow } from './jobs.sql.ts';

export const JOB_INVALID = 'The job is not valid';

function issue(path: string, message: string): ValidationIssue {
  return { location: 'body', path, message, code: 'custom' };
}

/** True when both argument sets name a `url` and their origins (scheme, host, port) differ. */
export function urlOriginChanged(stored: unknown, incoming: unknown): boolean {
  const urlOf = (kwargs: unknown) =>
    kwargs && typeof kwargs === 'object' && typeof (kwargs as { url?: unknown }).url === 'string'
      ? (kwargs as { url: string }).url
      : undefined;
  const before = urlOf(stored);
  const after = urlOf(incoming);
  if (before === undefined || after === undefined) return false;
  const originOf = (url: string) => {
    try {
      return new URL(url).origin;
    } catch {
      return url;
    }
  };
  return originOf(before) !== originOf(after);
}

export interface JobDefinition {
  func: string;
  args: unknown;
  kwargs: unknown;
  cron: string;
  timezone: string;
}

/**
 * Checks func, args and cron/timezone together and answers every problem at once (422). Secret arguments are
 * merged with the stored ones (absent keeps, {"set": false} clears), validated in the clear, and returned sealed.
 */
export function validateDefinition(
  registry: JobRegistry,
  secrets: SecretBox,
  job: JobDefinition,
  storedKwargs?: unknown,
): { kwargs: Record<string, unknown> } {
  const issues: ValidationIssue[] = [];
  let kwargs = job.kwargs as Record<string, unknown>;
  const fn = registry.get(job.func);
  if (!fn) {
    issues.push(issue('func', `no job function "${job.func}" is registered (GET /functions lists them)`));
  } else {
    const schema = fn.argsSchema;
    // Secrets were entered for one destination: when the URL's origin changes, the stored ones are not
    // carried over (absent clears them, {"set": true} is refused); the same request may re-enter them.
    const carried = urlOriginChanged(storedKwargs, job.kwargs) ? undefined : storedKwargs;
    const plain = openSecrets(schema, mergeSecretInput(schema, job.kwargs ?? {}, carried), secrets);
    const checked = registry.validateArgs(job.func, job.args, plain);
    if (checked.ok) kwargs = sealSecrets(schema, checked.kwargs, secrets) as Record<string, unknown>;
    else issues.push(...checked.issues);
  }
  for (const problem of cronProblems(job.cron, job.timezone))
    issues.push(issue(problem.field, problem.message));
  if (issues.length) throw new AppError(422, 'validation_error', JOB_INVALID, issues);
  return { kwargs };
}

/** A stale or missing version is a conflict the client can resolve: the current job is in the detail. */
export function checkVersion(row: JobRow, expected: number | undefined): void {
  if (expected === undefined) {
    throw new AppError(
      428,
      'precondition_required',
      'Send the version you edited (If-Match header or "version" in the body)',
    );
  }
  if (row.version !== expected) {
    throw new AppError(
      409,
      'version_conflict',
      `The job was changed by someone else (you edited version ${expected}; it is now ${row.version})`,
      { current: toJob(row) },
    );
  }
}
