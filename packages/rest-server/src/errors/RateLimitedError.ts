import { RestError } from './RestError.js';

/**
 * Discord's 429: `{ message, retry_after, global }` (with `code` only for limits that have one, such as 20016
 * slowmode), `Retry-After` in whole seconds, and `X-RateLimit-Global` when the limit is the global one.
 */
export class RateLimitedError extends RestError {
  override readonly name: string = 'RateLimitedError';
  /** Seconds until the window resets. */
  readonly retryAfter: number;
  readonly global: boolean;
  /** Discord's JSON code of the limit, when it has one; the body has no `code` otherwise. */
  readonly limitCode: number | undefined;

  constructor(
    retryAfter: number,
    global: boolean,
    headers: Record<string, string> = {},
    options: { cause?: unknown; code?: number; message?: string } = {},
  ) {
    super(429, options.code ?? 0, options.message ?? 'You are being rate limited.', {
      headers: {
        ...headers,
        'Retry-After': String(Math.max(1, Math.ceil(retryAfter))),
        ...(global ? { 'X-RateLimit-Global': 'true' } : {}),
      },
      cause: options.cause,
    });
    this.retryAfter = retryAfter;
    this.global = global;
    this.limitCode = options.code;
  }

  override body(): Record<string, unknown> {
    const body = { message: this.message, retry_after: Number(this.retryAfter.toFixed(3)), global: this.global };
    return this.limitCode === undefined ? body : { ...body, code: this.limitCode };
  }
}
