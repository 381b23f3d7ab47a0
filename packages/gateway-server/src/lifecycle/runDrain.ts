import type { LiveConnection } from '../session/LiveSession.js';
import type { GatewayMetrics } from '../types.js';
import { CloseCode } from '../wire/protocol.js';
import { type DrainOptions, type DrainStats, resolveWaveSize } from './drain.js';

/** What a drain needs from the server. */
export interface DrainContext {
  readonly connections: ReadonlySet<LiveConnection>;
  readonly metrics: GatewayMetrics | undefined;
  /** Sessions this node holds (connected or awaiting resume). */
  sessionCount(): number;
  /** Sessions still attached here, or detached with their store write not yet confirmed. */
  pending(): number;
  /** Sessions whose detached-store write failed or is still unconfirmed. */
  unsaved(): number;
  /** With a resume store: resolves once every journaled dispatch is in it. */
  flushed(): Promise<void> | undefined;
  /** Closes the server (its detached sessions stay in the store for another node) and its broker. */
  shutDown(): Promise<void>;
}

/**
 * Sends op 7 Reconnect in waves, waits for the sessions to leave and be confirmed stored, forces the rest out with a
 * resumable close at the deadline, then (unless `close: false`) shuts the server down. See `GatewayServer.drain()`.
 */
export async function runDrain(context: DrainContext, options: DrainOptions): Promise<DrainStats> {
  const { connections, metrics } = context;
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 30_000);
  const interval = options.waveIntervalMs ?? 500;
  const sessions = context.sessionCount();
  // Identified connections first (they carry the sessions); those still identifying go last.
  const queue = [...connections].sort((a, b) => Number(b.session !== null) - Number(a.session !== null));
  const size = resolveWaveSize(options.waveSize, queue.length);
  const perWave: number[] = [];
  const report = (phase: 'wave' | 'done', reconnects: number): void => {
    const pending = context.pending();
    metrics?.draining?.(phase === 'done' ? 0 : pending);
    options.onProgress?.({ phase, wave: perWave.length, reconnects, queued: queue.length, pending });
  };
  metrics?.draining?.(context.pending());
  while (queue.length > 0 && Date.now() < deadline) {
    let sent = 0;
    for (const connection of queue.splice(0, size)) {
      if (connection.closed) continue;
      connection.sendControl(7, null);
      sent++;
    }
    perWave.push(sent);
    report('wave', sent);
    if (queue.length > 0) await sleep(Math.min(interval, deadline - Date.now()));
  }
  const drained = () => connections.size === 0 && context.pending() === 0;
  await waitUntil(drained, deadline);
  // Out of time: whoever is still here is closed with a resumable code, so the session is handed over all the same.
  let forced = 0;
  for (const connection of connections) {
    if (connection.closed) continue;
    connection.close(CloseCode.UnknownError, 'reconnect', 1000);
    forced++;
  }
  // A closed socket detaches its session on 'close' (the peer's answer, or the terminate after 1 s).
  await waitUntil(drained, Date.now() + 2000);
  // With a resume store every dispatch a client saw is journaled first: wait for the last commit to land in it.
  const flushed = context.flushed();
  if (flushed !== undefined) await Promise.race([flushed, sleep(Math.max(2000, deadline - Date.now()))]);
  report('done', 0);
  const stats: DrainStats = {
    sessions,
    waves: perWave.length,
    perWave,
    forced,
    unsaved: context.unsaved(),
    durationMs: 0,
  };
  if (options.close !== false) await context.shutDown();
  stats.durationMs = Date.now() - started;
  return stats;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());
}

/** Polls `done` (cheap, synchronous) every 10 ms until it holds or `deadline` (epoch ms) passes. */
async function waitUntil(done: () => boolean, deadline: number): Promise<void> {
  while (!done() && Date.now() < deadline) await sleep(Math.min(10, deadline - Date.now()));
}
