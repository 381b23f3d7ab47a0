import type { GatewayLogger } from '../types.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function noop(): void {}

/** The default logger: drops everything. */
export const noopLogger: GatewayLogger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

export interface JsonLoggerOptions {
  /** Lowest level written (default `info`). */
  level?: LogLevel;
  /** Where lines go (default stdout). One call per line, newline included. */
  write?: (line: string) => void;
  /** Fields added to every line (e.g. `{ node: 'gw-1' }`). */
  base?: Record<string, unknown>;
  /** Clock, for tests. */
  now?: () => Date;
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

/**
 * A JSON-lines logger: `{"time","level","msg",...fields}` per line. Fields that cannot be serialised (cycles) are
 * replaced by a note rather than throwing: logging must never take the gateway down.
 */
export function createJsonLogger(options: JsonLoggerOptions = {}): GatewayLogger {
  const min = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const now = options.now ?? (() => new Date());
  const base = options.base ?? {};
  const log = (level: LogLevel) =>
    RANK[level] < min
      ? noop
      : (msg: string, fields?: Record<string, unknown>) => {
          const time = now().toISOString();
          // Reserved keys first (stable column order), and fields cannot overwrite them.
          const record = { time, level, msg, ...base, ...fields };
          record.time = time;
          record.level = level;
          record.msg = msg;
          let line: string;
          try {
            line = JSON.stringify(record, replacer);
          } catch {
            line = JSON.stringify({ time: record.time, level, msg, note: 'fields not serialisable' });
          }
          write(`${line}\n`);
        };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
