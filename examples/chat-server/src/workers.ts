import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { type HostWorker, joinGatewayHost, startGatewayHost } from '@concord/gateway-server/host';
import { SnowflakeGenerator } from '@concord/snowflake';
import { type ChatServerConfig, ConfigError } from './config.js';
import type { ChatServer } from './createChatServer.js';

// WORKERS=N (or --workers N): the chat server on every core. The primary process only forks N workers and restarts
// a crashed one; each worker is a whole chat server (REST, gateway, Community) listening on the same port through
// node:cluster, its gateway joined to the others' by the host-local fan-out (`@concord/gateway-server/host`). Guild
// state changes travel on that fan-out too (Community's cluster sync), and every worker opens the same database, so
// the database must be one that several processes can open: PostgreSQL, Cassandra, or an SQLite file (WAL; writers
// take turns) — not `:memory:`.
//
// Per worker, not per host (documented limits): REST rate limits, dev auth's new-user limit, the identify throttle
// and session start limits are in-memory in each worker; voice is off (its server would need one process and an
// allocator the workers share).

/** True in a process forked by `startGatewayHost` (a worker of the host). */
export const isHostWorker = cluster.isWorker;

/** Runs the host's primary: forks `config.workers` workers running this same entry point; resolves never. */
export async function runHostPrimary(config: ChatServerConfig, fail: (message: string) => never): Promise<never> {
  if (config.databaseUrl === ':memory:' || config.databaseUrl === 'memory:') {
    fail(
      'WORKERS > 1 needs a database several processes can open (an SQLite file, PostgreSQL, Cassandra), not :memory:',
    );
  }
  const entry = process.argv[1];
  if (entry === undefined) fail('WORKERS > 1: cannot tell which file to run in the workers');
  const host = await startGatewayHost({
    exec: entry,
    execArgv: process.execArgv,
    args: process.argv.slice(2),
    workers: config.workers,
    port: config.port,
    host: config.host,
    // The first worker seeds the database (the Lobby) before the others open it.
    firstWorkerAlone: true,
  }).catch((error: unknown) => fail(`WORKERS: ${error instanceof Error ? error.message : String(error)}`));
  const say = (line: string): void => {
    process.stderr.write(`[chat host] ${line}\n`);
  };
  say(`${config.workers} workers on port ${host.port}`);
  host.on('workerExit', (w) =>
    say(`worker ${w.slot} exited (${w.code ?? w.signal})${w.restarting ? ', restarting' : ''}`),
  );
  host.on('error', (error) => say(`error: ${String(error)}`));
  // Signals go to the primary, which closes the workers (each drains its gateway, as a single server does on a
  // signal); a second signal exits at once.
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (closing) process.exit(1);
      closing = true;
      say(`${signal}: closing the workers`);
      const deadline = setTimeout(() => process.exit(1), config.shutdownTimeoutMs + 1000);
      deadline.unref();
      void host.close(config.shutdownTimeoutMs).then(() => process.exit(0));
    });
  }
  return new Promise<never>(() => undefined);
}

/** In a worker: its place in the host, joined before the chat server is built. */
let worker: HostWorker | undefined;

/** What a worker's chat server needs from the host: the host fan-out as its broker, and ids unique to the worker. */
export async function joinHost(): Promise<{ broker: HostWorker['broker']; ids: SnowflakeGenerator }> {
  worker = await joinGatewayHost();
  // Snowflakes: every concurrent generator needs its own (workerId, processId) pair.
  return {
    broker: worker.broker,
    ids: new SnowflakeGenerator({ workerId: Math.floor(worker.slot / 32) % 32, processId: worker.slot % 32 }),
  };
}

/**
 * The worker's server listens: tell the primary. Signals are the primary's to handle (it closes every worker); a
 * close from the primary drains this worker's gateway like a signal does for a single server.
 */
export async function announceWorker(server: ChatServer, config: ChatServerConfig): Promise<void> {
  if (!worker) return;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => undefined);
  const { port } = server.app.server.address() as AddressInfo;
  await worker.ready({ port, onClose: () => server.shutdown(Math.floor(config.shutdownTimeoutMs / 2)) });
}

/** `--workers N` on the command line, as the WORKERS setting (the command line wins over the environment). */
export function workersFromArgv(argv: readonly string[]): Record<string, string> {
  const i = argv.indexOf('--workers');
  const value = i === -1 ? argv.find((a) => a.startsWith('--workers='))?.slice(10) : argv[i + 1];
  if (value === undefined) return {};
  if (value === '') throw new ConfigError('--workers needs a number');
  return { WORKERS: value };
}
