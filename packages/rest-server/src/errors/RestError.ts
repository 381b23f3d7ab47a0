/**
 * A refusal in Discord's shape: `status` for HTTP, `{ code, message, errors? }` as the body (docs/protocol.md,
 * "Errors"). Every error a route or the pipeline throws becomes one of these before it is sent (toRestError.ts), so no
 * other error format can reach a client.
 */
export class RestError extends Error {
  override readonly name: string = 'RestError';
  /** Discord's JSON error code (`0` for the plain HTTP ones: 401, 404, 405, 500). */
  readonly code: number;
  readonly status: number;
  /** Discord's nested `errors` object of a 50035. */
  readonly errors: Record<string, unknown> | undefined;
  /** Extra response headers (a 429's rate-limit headers, `Connection: close` when a body was left unread). */
  readonly headers: Record<string, string>;
  readonly #body: Record<string, unknown> | undefined;

  constructor(
    status: number,
    code: number,
    message: string,
    options: {
      errors?: Record<string, unknown>;
      headers?: Record<string, string>;
      /** The exact body to send, when the thrower built it (a service's ValidationError body). */
      body?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.code = code;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.#body = options.body;
  }

  /** The JSON body sent to the client. */
  body(): Record<string, unknown> {
    if (this.#body) return this.#body;
    // Discord's key order: message, code, errors.
    return this.errors
      ? { message: this.message, code: this.code, errors: this.errors }
      : { message: this.message, code: this.code };
  }
}
