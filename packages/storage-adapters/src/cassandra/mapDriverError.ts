import { StorageError, StorageUnavailableError } from '../errors/index.js';
import { loadCassandraDriver } from './driver.js';

// Server-side failures that mean "not enough of the cluster answered": retryable, the data is not known to be wrong.
// Built on first use: the driver is an optional dependency, loaded only once a store needs it.
let unavailableCodes: Set<number> | undefined;

function unavailableCodesOf(types: ReturnType<typeof loadCassandraDriver>['types']): Set<number> {
  unavailableCodes ??= new Set<number>([
    types.responseErrorCodes.unavailableException,
    types.responseErrorCodes.overloaded,
    types.responseErrorCodes.isBootstrapping,
    types.responseErrorCodes.writeTimeout,
    types.responseErrorCodes.readTimeout,
    types.responseErrorCodes.readFailure,
    types.responseErrorCodes.writeFailure,
  ]);
  return unavailableCodes;
}

const CONNECTION_LOST =
  /no connection available|shut ?down|not connected|connection (?:closed|reset|refused)|socket|ECONNREFUSED|ECONNRESET|EPIPE/i;

/**
 * Turns the driver's connectivity and timeout errors into StorageUnavailableError (code 'UNAVAILABLE'); anything else
 * (our own StorageErrors, CQL syntax errors = bugs) passes through unchanged.
 * A write that timed out may still have been applied: a retried `create` then gets DuplicateMessageError, never a
 * second copy (inserts are `IF NOT EXISTS`).
 */
export function mapDriverError(err: unknown, operation: string): unknown {
  if (err instanceof StorageError) return err;
  const { errors, types } = loadCassandraDriver();
  if (
    err instanceof errors.NoHostAvailableError ||
    err instanceof errors.OperationTimedOutError ||
    err instanceof errors.BusyConnectionError ||
    (err instanceof errors.ResponseError && unavailableCodesOf(types).has(err.code))
  ) {
    return new StorageUnavailableError(`cassandra ${operation} failed: ${(err as Error).message}`, { cause: err });
  }
  // The pool throws plain Errors when it has no socket left (e.g. 'No connection available' after a disconnect).
  if (err instanceof Error && !(err instanceof TypeError) && CONNECTION_LOST.test(err.message)) {
    return new StorageUnavailableError(`cassandra ${operation} failed: ${err.message}`, { cause: err });
  }
  return err;
}
