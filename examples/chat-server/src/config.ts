import { existsSync } from 'node:fs';

/** A setting the server cannot start with: main.ts prints its message as one line and exits 1. */
export class ConfigError extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Every setting of the example server, read from the environment (docs/configuration.md lists them). */
export interface ChatServerConfig {
  host: string;
  port: number;
  databaseUrl: string;
  blobDir: string | undefined;
  tls: { cert: string; key: string } | undefined;
  logLevel: LogLevel;
  logRequests: boolean;
  metrics: boolean;
  shutdownTimeoutMs: number;
  devAuthNewUsersPerMinute: number;
  /** Processes sharing the port (WORKERS or `--workers N`; src/workers.ts); 1 = this process serves alone. */
  workers: number;
  voice:
    | {
        port: number;
        udpPort: number;
        publicHost: string | undefined;
        tls: { cert: string; key: string } | undefined;
      }
    | undefined;
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'on', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'off', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be on or off, got "${env[name]}"`);
}

/** A certificate/key pair of files: both variables or neither, and both files readable. */
function tlsFiles(env: Env, certName: string, keyName: string) {
  const cert = env[certName];
  const key = env[keyName];
  if (!cert && !key) return undefined;
  if (!cert || !key)
    throw new ConfigError(`${cert ? keyName : certName} must be set along with ${cert ? certName : keyName}`);
  for (const [name, file] of [
    [certName, cert],
    [keyName, key],
  ]) {
    if (!existsSync(file!)) throw new ConfigError(`${name}: no file at ${file}`);
  }
  return { cert, key };
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/:]*):[^@/]*@/, '//$1:***@');
}

/**
 * Checks DATABASE_URL's shape before anything opens it: `:memory:`, `sqlite:<file>` or a file path,
 * `postgres://…`/`postgresql://…`, `cassandra://…`. An unknown scheme would otherwise become an SQLite file of that name.
 */
export function checkDatabaseUrl(url: string): void {
  if (url === ':memory:' || url === 'memory:') return;
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === 'sqlite' || scheme === 'file') return;
  const known = ['postgres', 'postgresql', 'cassandra'];
  if (!known.includes(scheme)) {
    throw new ConfigError(
      `DATABASE_URL has an unknown scheme "${scheme}:" (use postgres://…, cassandra://…, sqlite:<file>, a file path or :memory:)`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`DATABASE_URL is not a valid URL: ${redactUrl(url)}`);
  }
  if (!parsed.hostname) throw new ConfigError(`DATABASE_URL names no host: ${redactUrl(url)}`);
}

export function readConfig(env: Env): ChatServerConfig {
  const logLevel = (env.LOG_LEVEL || 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const databaseUrl = env.DATABASE_URL || './.data/chat.db';
  checkDatabaseUrl(databaseUrl);
  const voiceOn = env.VOICE === undefined || env.VOICE === '' ? true : flag(env, 'VOICE', true);
  const workers = integer(env, 'WORKERS', 1, 1, 1024);
  return {
    host: env.HOST || '127.0.0.1',
    port: integer(env, 'PORT', 8080, 0, 65535),
    databaseUrl,
    blobDir: env.BLOB_DIR || undefined,
    tls: tlsFiles(env, 'TLS_CERT', 'TLS_KEY'),
    logLevel,
    logRequests: flag(env, 'LOG_REQUESTS', false),
    metrics: flag(env, 'METRICS', true),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    devAuthNewUsersPerMinute: integer(env, 'DEV_AUTH_NEW_USERS_PER_MINUTE', 10, 1, Number.MAX_SAFE_INTEGER),
    workers,
    // With workers, voice is off (src/workers.ts says why).
    voice:
      voiceOn && workers === 1
        ? {
            port: integer(env, 'VOICE_PORT', 0, 0, 65535),
            udpPort: integer(env, 'VOICE_UDP_PORT', 0, 0, 65535),
            publicHost: env.VOICE_PUBLIC_HOST || undefined,
            tls: tlsFiles(env, 'VOICE_TLS_CERT', 'VOICE_TLS_KEY'),
          }
        : undefined,
  };
}
