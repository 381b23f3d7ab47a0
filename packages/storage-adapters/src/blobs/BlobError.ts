// The blob store's own error family. Its codes are not StorageError's (that union describes message rows: a blob can
// be too large or of a refused type, a message cannot), so blobs get a base of their own in the same style.

export type BlobErrorCode =
  | 'BLOB_TOO_LARGE'
  | 'BLOB_CONTENT_TYPE'
  | 'INVALID_BLOB_KEY'
  | 'INVALID_BLOB_ARGUMENT'
  | 'BLOB_EXISTS'
  | 'BLOB_RANGE_NOT_SATISFIABLE'
  | 'BLOB_CORRUPT'
  | 'BLOB_STORE_CLOSED';

/** Base of every error the blob store throws on purpose; `code` is stable, the message is for humans. */
export class BlobError extends Error {
  public readonly code: BlobErrorCode;

  public constructor(code: BlobErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BlobError';
    this.code = code;
  }
}

/** The body passed `maxBytes`; reading stopped there and nothing was kept. */
export class BlobTooLargeError extends BlobError {
  public readonly maxBytes: number;

  public constructor(maxBytes: number, options?: { cause?: unknown }) {
    super('BLOB_TOO_LARGE', `blob is larger than the limit of ${maxBytes} bytes`, options);
    this.name = 'BlobTooLargeError';
    this.maxBytes = maxBytes;
  }
}

/** The content type is malformed, not allowed, or a declared image type the bytes contradict. */
export class BlobContentTypeError extends BlobError {
  public readonly declared: string | undefined;
  public readonly sniffed: string | undefined;

  public constructor(
    message: string,
    details: { declared?: string | undefined; sniffed?: string | undefined } = {},
    options?: { cause?: unknown },
  ) {
    super('BLOB_CONTENT_TYPE', message, options);
    this.name = 'BlobContentTypeError';
    this.declared = details.declared;
    this.sniffed = details.sniffed;
  }
}

/** A key that is not a safe relative path (see validateBlobKey). The message never echoes the hostile input whole. */
export class InvalidBlobKeyError extends BlobError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_BLOB_KEY', message, options);
    this.name = 'InvalidBlobKeyError';
  }
}

/** Any other unusable argument: a filename with control characters, a negative maxBytes, a body of the wrong type… */
export class InvalidBlobArgumentError extends BlobError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_BLOB_ARGUMENT', message, options);
    this.name = 'InvalidBlobArgumentError';
  }
}

/** Attachments are immutable (their URLs are cached forever), so a key is written once. */
export class BlobExistsError extends BlobError {
  public readonly key: string;

  public constructor(key: string, options?: { cause?: unknown }) {
    super('BLOB_EXISTS', `blob ${key} already exists`, options);
    this.name = 'BlobExistsError';
    this.key = key;
  }
}

/** A read range outside the blob (start > end, or past the last byte). */
export class BlobRangeNotSatisfiableError extends BlobError {
  public readonly size: number;

  public constructor(size: number, options?: { cause?: unknown }) {
    super('BLOB_RANGE_NOT_SATISFIABLE', `range is outside the blob of ${size} bytes`, options);
    this.name = 'BlobRangeNotSatisfiableError';
    this.size = size;
  }
}

/** Stored metadata cannot be decoded, or disagrees with the stored bytes. */
export class BlobCorruptError extends BlobError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super('BLOB_CORRUPT', message, options);
    this.name = 'BlobCorruptError';
  }
}

export class BlobStoreClosedError extends BlobError {
  public constructor() {
    super('BLOB_STORE_CLOSED', 'the blob store is closed');
    this.name = 'BlobStoreClosedError';
  }
}

export function isBlobError(value: unknown, code?: BlobErrorCode): value is BlobError {
  return value instanceof BlobError && (code === undefined || value.code === code);
}
