// The configuration error every config module throws (apart from index.ts, so they need not import it).
/** A configuration the process must refuse. The message is one line and never holds a secret value. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly reason: string,
  ) {
    super(`${variable}: ${reason}`);
    this.name = 'ConfigError';
  }
}
