import { StorageError, StorageUnavailableError } from '../errors/index.js';

/**
 * Redis client failures (closed connection, retries exhausted, command timeout, LOADING…) become
 * StorageUnavailableError; StorageErrors pass through; anything else (a bug) is rethrown unchanged.
 */
export function mapRedisError(err: unknown, operation: string): unknown {
  if (err instanceof StorageError) return err;
  if (err instanceof Error) {
    const transient =
      err.name === 'MaxRetriesPerRequestError' ||
      /connection is closed|connect E|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|timed? ?out|LOADING|stream isn't writeable|enableOfflineQueue|READONLY|MASTERDOWN|CLUSTERDOWN/i.test(
        err.message,
      );
    if (transient) return new StorageUnavailableError(`redis ${operation} failed: ${err.message}`, { cause: err });
  }
  return err;
}

/** Commands issued while the client is reconnecting would sit in ioredis' offline queue; fail fast instead. */
export function assertRedisUsable(status: string, operation: string): void {
  if (status === 'reconnecting' || status === 'close' || status === 'end') {
    throw new StorageUnavailableError(`redis ${operation} failed: client is ${status}`);
  }
}
