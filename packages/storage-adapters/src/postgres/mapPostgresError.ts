import { StorageError, StorageUnavailableError } from '../errors/index.js';

const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed|not queryable|Cannot use a pool after calling end/i;

/** Whether a pg error means "the database is not reachable right now" rather than "this statement is wrong". */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNAVAILABLE_NODE_CODES.has(code)) return true;
    // 08: connection exception; 57P01-03: admin/crash shutdown, cannot connect now; 53300: too many connections.
    if (code.startsWith('08') || code.startsWith('57P') || code === '53300') return true;
  }
  return err instanceof Error && UNAVAILABLE_MESSAGES.test(err.message);
}

/** Rethrows driver errors as StorageErrors where they have a meaning the caller can act on. */
export function mapPostgresError(err: unknown): never {
  if (err instanceof StorageError) throw err;
  if (isConnectionError(err)) {
    throw new StorageUnavailableError(`postgres unavailable: ${(err as Error).message}`, { cause: err });
  }
  if ((err as { code?: unknown }).code === '22P02' || (err as { code?: unknown }).code === 'XX001') {
    throw new StorageError('CORRUPT', `postgres: ${(err as Error).message}`, { cause: err });
  }
  throw err;
}
