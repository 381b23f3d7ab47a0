export type StorageErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'DUPLICATE'
  | 'UNAVAILABLE'
  | 'CORRUPT'
  | 'CLOSED'
  | 'MISSING_DEPENDENCY';

/** Base of every error a store throws on purpose; `code` is stable, the message is for humans. */
export class StorageError extends Error {
  public readonly code: StorageErrorCode;

  public constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
    this.code = code;
  }
}

/** Untrusted input that cannot be stored or queried: a malformed id, a limit out of 1..100, two cursors… */
export class InvalidArgumentError extends StorageError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_ARGUMENT', message, options);
    this.name = 'InvalidArgumentError';
  }
}

export class MessageNotFoundError extends StorageError {
  public readonly channelId: string;
  public readonly messageId: string;

  public constructor(channelId: string, messageId: string) {
    super('NOT_FOUND', `message ${messageId} not found in channel ${channelId}`);
    this.name = 'MessageNotFoundError';
    this.channelId = channelId;
    this.messageId = messageId;
  }
}

export class DuplicateMessageError extends StorageError {
  public readonly channelId: string;
  public readonly messageId: string;

  public constructor(channelId: string, messageId: string, options?: { cause?: unknown }) {
    super('DUPLICATE', `message ${messageId} already exists in channel ${channelId}`, options);
    this.name = 'DuplicateMessageError';
    this.channelId = channelId;
    this.messageId = messageId;
  }
}

/** The database went away (connection refused, reset, terminated). The operation may be retried. */
export class StorageUnavailableError extends StorageError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super('UNAVAILABLE', message, options);
    this.name = 'StorageUnavailableError';
  }
}

/** A stored row cannot be decoded (bad JSON, unknown compression flag…). */
export class CorruptDataError extends StorageError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super('CORRUPT', message, options);
    this.name = 'CorruptDataError';
  }
}

/** The store was closed. */
export class StoreClosedError extends StorageError {
  public constructor() {
    super('CLOSED', 'the store is closed');
    this.name = 'StoreClosedError';
  }
}

/**
 * An adapter's driver is an optional dependency that is not installed (`better-sqlite3` for the SQLite stores, `pg`
 * for PostgreSQL, `cassandra-driver` for Cassandra). The message names the package to install; `cause` is the
 * resolver's own error.
 */
export class MissingDependencyError extends StorageError {
  /** The npm package to install. */
  public readonly packageName: string;

  public constructor(packageName: string, feature: string, options?: { cause?: unknown }) {
    super(
      'MISSING_DEPENDENCY',
      `${feature} needs the optional dependency ${packageName}, which is not installed: run \`npm install ${packageName}\``,
      options,
    );
    this.name = 'MissingDependencyError';
    this.packageName = packageName;
  }
}

export function isStorageError(value: unknown, code?: StorageErrorCode): value is StorageError {
  return value instanceof StorageError && (code === undefined || value.code === code);
}
