import type pg from 'pg';
import { requireOptional } from '../optionalDependency.js';

/** How a PostgreSQL store gets its connections (the options every PostgreSQL store takes). */
export interface PostgresPoolOptions {
  /** A pool of the caller's, shared with others (the store never ends it). */
  pool?: pg.Pool;
  connectionString?: string;
  poolConfig?: pg.PoolConfig;
  /** Told of errors of idle clients (a server that went away). */
  onPoolError?: (error: Error) => void;
}

/** The pool a store uses, whether it owns it (and ends it on close), and how to stop listening to it. */
export interface OpenedPostgresPool {
  pool: pg.Pool;
  ownsPool: boolean;
  /** Removes the store's pool error listener (call on close, before ending an owned pool). */
  release(): void;
}

/**
 * The caller's pool, or a new one from the connection options. An idle client whose server went away emits 'error' on
 * the pool; unhandled, that would crash the process, so a listener is always attached.
 */
export function openPostgresPool(options: PostgresPoolOptions): OpenedPostgresPool {
  const ownsPool = !options.pool;
  const pool =
    options.pool ??
    new (requireOptional<typeof pg>('pg', 'The PostgreSQL stores of @concord/storage-adapters').Pool)({
      ...options.poolConfig,
      ...(options.connectionString ? { connectionString: options.connectionString } : {}),
    });
  const onPoolError = (error: Error) => options.onPoolError?.(error);
  pool.on('error', onPoolError);
  return { pool, ownsPool, release: () => pool.off('error', onPoolError) };
}
