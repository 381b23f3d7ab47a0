import { StorageError, StorageUnavailableError } from '../errors/index.js';

/** Rethrows better-sqlite3 errors as StorageErrors where they have a meaning the caller can act on. */
export function mapSqliteError(err: unknown): never {
  if (err instanceof StorageError) throw err;
  const code = (err as { code?: string }).code ?? '';
  if (
    code === 'SQLITE_BUSY' ||
    code === 'SQLITE_LOCKED' ||
    code.startsWith('SQLITE_IOERR') ||
    code === 'SQLITE_CANTOPEN'
  ) {
    throw new StorageUnavailableError(`sqlite: ${(err as Error).message}`, { cause: err });
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    throw new StorageError('CORRUPT', `sqlite: ${(err as Error).message}`, { cause: err });
  }
  throw err;
}
