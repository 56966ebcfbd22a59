// Masks secrets inside free text (error messages, stacks, URLs) before it is logged or returned.

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)([^@/\s]+)@/gi;
const BEARER = /\b(bearer\s+)[A-Za-z0-9._~+/=-]+/gi;
const KEY_VALUE = /\b(password|passwd|pwd|secret|token|api[_-]?key)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&,;]+)/gi;

export const MASK = '***';

export function maskSecretsInText(text: string): string {
  return text
    .replace(URL_CREDENTIALS, `$1${MASK}@`)
    .replace(BEARER, `$1${MASK}`)
    .replace(KEY_VALUE, `$1$2${MASK}`);
}

/** A URL safe to show: the password replaced, everything else kept. */
export function redactUrl(value: string): string {
  return maskSecretsInText(value);
}

/** Field names whose values are always secrets, wherever they appear in a logged or returned object. */
export const SECRET_FIELD_NAMES = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'new_password',
  'token',
  'access_token',
  'refresh_token',
  'secret',
  'jwt_secret_key',
  'api_key',
  'x-api-key',
];

const SECRET_KEY =
  /(^|[_-])(password|passwd|pwd|secret|token|api[_-]?key|authorization|cookie|credentials?)([_-]|$)/i;

/**
 * Whether a field of this name holds a secret (password, *_secret, access_token, x-api-key, cookie, ...),
 * in snake_case, kebab-case or camelCase (adminPassword, jwtSecret).
 */
export function isSecretFieldName(name: string): boolean {
  const snake = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  return SECRET_FIELD_NAMES.includes(snake) || SECRET_KEY.test(snake);
}
