// Run output and errors are stored bounded, so one chatty job cannot bloat job_runs.
export const MAX_OUTPUT_CHARS = 16_384;
export const MAX_ERROR_MESSAGE_CHARS = 2_000;

export interface RunError {
  message: string;
  stack?: string;
  code?: string;
}

export function boundOutput(value: unknown): unknown {
  if (value === undefined) return null;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return { unserializable: String(value).slice(0, MAX_ERROR_MESSAGE_CHARS) };
  }
  if (text === undefined) return null;
  if (text.length <= MAX_OUTPUT_CHARS) return JSON.parse(text);
  return { truncated: true, original_chars: text.length, preview: text.slice(0, MAX_OUTPUT_CHARS) };
}

export function boundError(error: unknown, code?: string): RunError {
  const err = error instanceof Error ? error : new Error(String(error));
  // No stack: run rows are read by viewers, and a stack names server paths. The runner logs it for operators.
  const bounded: RunError = { message: err.message.slice(0, MAX_ERROR_MESSAGE_CHARS) };
  const errCode = code ?? (err as { code?: unknown }).code;
  if (typeof errCode === 'string') bounded.code = errCode;
  return bounded;
}
