import { CommunityError, PermissionError, UnknownEntityError, ValidationError } from '@concord/guilds';
import { invalidFormBody } from './invalidFormBody.js';
import { RateLimitedError } from './RateLimitedError.js';
import { RestError } from './RestError.js';
import { restErrors } from './restErrors.js';

/** What an error is classified by when it is not one of ours: a string code (storage, blobs, Fastify) and a status. */
interface Coded {
  code?: unknown;
  statusCode?: unknown;
}

/** Fastify's and @fastify/multipart's refusals of a request, as Discord words them. */
const frameworkErrors: Record<string, () => RestError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: restErrors.tooLarge,
  FST_REQ_FILE_TOO_LARGE: restErrors.tooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    invalidFormBody([], 'CONTENT_TYPE_INVALID', 'Expected application/json or multipart/form-data.'),
  FST_ERR_CTP_EMPTY_JSON_BODY: restErrors.invalidJson,
  FST_ERR_CTP_INVALID_JSON_BODY: restErrors.invalidJson,
  FST_FILES_LIMIT: () => invalidFormBody(['files'], 'BASE_TYPE_MAX_LENGTH', 'Too many files.'),
  FST_PARTS_LIMIT: () => invalidFormBody([], 'BASE_TYPE_MAX_LENGTH', 'Too many form parts.'),
  FST_FIELDS_LIMIT: () => invalidFormBody([], 'BASE_TYPE_MAX_LENGTH', 'Too many form fields.'),
  FST_PROTO_VIOLATION: () => invalidFormBody([], 'BASE_TYPE_BAD_TYPE', 'A form field name is not allowed.'),
  FST_INVALID_MULTIPART_CONTENT_TYPE: () =>
    invalidFormBody([], 'CONTENT_TYPE_INVALID', 'The multipart/form-data body is malformed.'),
  FST_ERR_VALIDATION: () => invalidFormBody([], 'BASE_TYPE_BAD_TYPE', 'The request is malformed.'),
};

/** Blob store refusals of an upload (packages/storage-adapters/src/blobs/BlobError.ts). */
const blobErrors: Record<string, () => RestError> = {
  BLOB_TOO_LARGE: restErrors.tooLarge,
  BLOB_CONTENT_TYPE: () =>
    invalidFormBody(['files'], 'CONTENT_TYPE_INVALID', 'The file content does not match its type.'),
  INVALID_BLOB_KEY: () => invalidFormBody(['files'], 'BASE_TYPE_BAD_TYPE', 'Invalid file name.'),
  INVALID_BLOB_ARGUMENT: () => invalidFormBody(['files'], 'BASE_TYPE_BAD_TYPE', 'Invalid file name.'),
};

const HTTP_REASONS: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  411: 'Length Required',
  413: 'Request entity too large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
};

/**
 * Any thrown value as the Discord error to answer with. The services' errors carry Discord's codes already
 * (packages/guilds/src/errors, permissions/PermissionError.ts, validation/ValidationError.ts); storage, blob and
 * framework errors are classified by their string code; anything else is a 500 whose message is not sent (it may
 * name internals). `internal` is true for those, so the caller logs them.
 */
export function toRestError(error: unknown): { error: RestError; internal: boolean } {
  if (error instanceof RestError) return { error, internal: false };
  if (error instanceof ValidationError) {
    // `body` is the exact JSON Discord sends (packages/guilds/src/validation/ValidationError.ts).
    const body = error.body as unknown as Record<string, unknown>;
    return { error: new RestError(400, error.code, error.message, { body, cause: error }), internal: false };
  }
  if (error instanceof PermissionError)
    return { error: new RestError(403, error.code, error.message, { cause: error }), internal: false };
  if (error instanceof UnknownEntityError)
    return { error: new RestError(404, error.code, error.message, { cause: error }), internal: false };
  if (error instanceof CommunityError && error.status === 429) {
    // Slowmode and the like: Discord's 429 body, with the limit's code. The service may say when to retry.
    const retryAfter = (error as { retryAfter?: unknown }).retryAfter;
    const seconds = typeof retryAfter === 'number' && retryAfter > 0 ? retryAfter : 1;
    const limited = new RateLimitedError(
      seconds,
      false,
      { 'X-RateLimit-Scope': 'user' },
      {
        code: error.code,
        message: error.message,
        cause: error,
      },
    );
    return { error: limited, internal: false };
  }
  if (error instanceof CommunityError) {
    return { error: new RestError(error.status, error.code, error.message, { cause: error }), internal: false };
  }
  const { code, statusCode } = (typeof error === 'object' && error !== null ? error : {}) as Coded;
  if (typeof code === 'string') {
    const framework = frameworkErrors[code] ?? blobErrors[code];
    if (framework) return { error: withCause(framework(), error), internal: false };
    // Storage refused a value the checks let through: a 400, without storage's own wording.
    if (code === 'INVALID_ARGUMENT') {
      return {
        error: withCause(invalidFormBody([], 'INVALID', 'The request contains a value that cannot be stored.'), error),
        internal: false,
      };
    }
    if (code === 'NOT_FOUND')
      return { error: new RestError(404, 10008, 'Unknown Message', { cause: error }), internal: false };
    if (code === 'UNAVAILABLE' || code === 'CLOSED') return { error: restErrors.unavailable(error), internal: true };
    // The client hung up mid-body: nobody reads the answer, and it is no fault of the server's.
    if (code === 'ECONNRESET' || code === 'ECONNABORTED' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
      return { error: new RestError(400, 0, '400: Bad Request', { cause: error }), internal: false };
    }
    // Any other framework refusal of the request itself (4xx): Discord's plain HTTP shape.
    if (code.startsWith('FST_') && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      const reason = HTTP_REASONS[statusCode] ?? 'Bad Request';
      return { error: new RestError(statusCode, 0, `${statusCode}: ${reason}`, { cause: error }), internal: false };
    }
  }
  return { error: restErrors.internal(error), internal: true };
}

/** `refusal` with `cause` attached (the answer stays the refusal's). */
export function withCause(refusal: RestError, cause: unknown): RestError {
  return new RestError(refusal.status, refusal.code, refusal.message, {
    ...(refusal.errors ? { errors: refusal.errors } : {}),
    headers: refusal.headers,
    cause,
  });
}
