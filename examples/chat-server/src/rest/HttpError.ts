/** A Discord-shaped REST error: `status` for HTTP, `{code, message, errors?}` as the body. */
export class HttpError extends Error {
  readonly code: string = 'HTTP_ERROR';
  constructor(
    readonly status: number,
    readonly discordCode: number,
    message: string,
    readonly errors?: Record<string, unknown>,
    /** Extra response headers (rate-limit headers of a 429, `Connection: close` when the body was left unread). */
    readonly headers: Record<string, string> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  body(): Record<string, unknown> {
    return this.errors
      ? { code: this.discordCode, message: this.message, errors: this.errors }
      : { code: this.discordCode, message: this.message };
  }
}

export const unauthorized = () => new HttpError(401, 0, '401: Unauthorized');
export const unknownChannel = () => new HttpError(404, 10003, 'Unknown Channel');
export const unknownGuild = () => new HttpError(404, 10004, 'Unknown Guild');
export const unknownMessage = () => new HttpError(404, 10008, 'Unknown Message');
export const unknownUser = () => new HttpError(404, 10013, 'Unknown User');
export const unknownMember = () => new HttpError(404, 10007, 'Unknown Member');
export const missingAccess = () => new HttpError(403, 50001, 'Missing Access');
export const missingPermissions = () => new HttpError(403, 50013, 'Missing Permissions');

/**
 * 50035 with Discord's nested `errors` shape for one field (`a.b` nests); `''` is the body itself, which Discord
 * reports as `errors._errors`.
 */
export function invalidFormBody(field: string, code: string, message: string): HttpError {
  const leaf = { _errors: [{ code, message }] };
  if (field === '') return new HttpError(400, 50035, 'Invalid Form Body', leaf);
  const errors: Record<string, unknown> = {};
  let node = errors;
  const parts = field.split('.');
  parts.forEach((part, i) => {
    if (i === parts.length - 1) node[part] = leaf;
    else node = node[part] = {} as Record<string, unknown>;
  });
  return new HttpError(400, 50035, 'Invalid Form Body', errors);
}

/** 50035 NUMBER_TYPE_COERCE, as Discord answers a path or query value that is not a snowflake. */
export function notSnowflake(field: string, value: string): HttpError {
  // Discord echoes the value; a long one is cut so the error stays small.
  const shown = value.length > 64 ? `${value.slice(0, 64)}…` : value;
  return invalidFormBody(field, 'NUMBER_TYPE_COERCE', `Value "${shown}" is not snowflake.`);
}

/** Discord's 429: `{message, retry_after, global}` (no `code`), with its headers. */
export class RateLimitedError extends HttpError {
  override readonly code = 'RATE_LIMITED';
  constructor(
    readonly retryAfter: number,
    readonly global: boolean,
    headers: Record<string, string>,
  ) {
    super(429, 0, 'You are being rate limited.', undefined, {
      ...headers,
      'Retry-After': String(Math.max(1, Math.ceil(retryAfter))),
      ...(global ? { 'X-RateLimit-Global': 'true' } : {}),
    });
  }

  override body(): Record<string, unknown> {
    return { message: this.message, retry_after: Number(this.retryAfter.toFixed(3)), global: this.global };
  }
}
