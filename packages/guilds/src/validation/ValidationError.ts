import type { InvalidFormBodyJSON } from './FormErrors.js';

/**
 * Discord's JSON error codes for a request body it refuses (docs/protocol.md, "Form validation"): 50035 Invalid Form
 * Body (fields that break a rule, listed in `errors`), 50006 Cannot send an empty message (well-formed, but nothing to
 * send). Both are HTTP 400.
 */
export type ValidationErrorCode = 50006 | 50035;

/** What a REST server sends for a `ValidationError`: Discord's `{ code, message }`, with `errors` for 50035. */
export type ValidationErrorBody = InvalidFormBodyJSON | { code: 50006; message: 'Cannot send an empty message' };

/** Base class of the package's body validation errors; `body` is what a REST server answers with, as it is. */
export class ValidationError extends Error {
  override readonly name: string = 'ValidationError';
  readonly code: ValidationErrorCode;
  readonly body: ValidationErrorBody;
  constructor(body: ValidationErrorBody, options?: { cause?: unknown }) {
    super(body.message, options);
    this.code = body.code;
    this.body = body;
  }
}

/** Fields of the body break Discord's rules (50035); `body.errors` says which and why. */
export class InvalidFormBodyError extends ValidationError {
  override readonly name: string = 'InvalidFormBodyError';
  override readonly code: 50035 = 50035;
  override readonly body: InvalidFormBodyJSON;
  constructor(body: InvalidFormBodyJSON, options?: { cause?: unknown }) {
    super(body, options);
    this.body = body;
  }
}

/** The message has nothing to send: no content, embed, sticker, file, poll or component (50006). */
export class EmptyMessageError extends ValidationError {
  override readonly name: string = 'EmptyMessageError';
  override readonly code: 50006 = 50006;
  constructor(options?: { cause?: unknown }) {
    super({ code: 50006, message: 'Cannot send an empty message' }, options);
  }
}
