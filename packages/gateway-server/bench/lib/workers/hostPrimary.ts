/**
 * The primary of the bench host (forked by bench/workers.ts, spoken to over IPC like bench/lib/load/node.ts):
 * `start` runs `startGatewayHost` with the bench worker, then `toWorker` commands are passed to one worker and its
 * replies passed back; `primaryStats` reports this process's own CPU and memory.
 */
import { fileURLToPath } from 'node:url';
import { type GatewayHost, startGatewayHost } from '../../../src/host/index.js';

interface Start {
  type: 'start';
  workers: number;
  guildSize: number;
  scheduling?: 'round-robin' | 'os';
  /** Each worker also on a port of its own (so a client can pick its worker). */
  direct?: boolean;
  /** Extra Node flags for the workers (bench/lib/workers/servers.ts's WORKERS_NODE_ARGS). */
  nodeArgs?: string[];
}

const send = (m: unknown): void => {
  if (process.connected) process.send?.(m, undefined, {}, () => undefined);
};

let host: GatewayHost | undefined;
let stopping = false;

process.on('message', async (m: { type: string } & Record<string, unknown>) => {
  try {
    if (m.type === 'start') {
      const start = m as unknown as Start;
      host = await startGatewayHost({
        exec: fileURLToPath(new URL('./hostWorker.ts', import.meta.url)),
        execArgv: ['--expose-gc', ...(start.nodeArgs ?? []), '--import', 'tsx'],
        env: { ...process.env, BENCH_GUILD_SIZE: String(start.guildSize) },
        workers: start.workers,
        port: 0,
        host: '127.0.0.1',
        scheduling: start.scheduling ?? 'round-robin',
        ...(start.direct ? { resumePortBase: 0 } : {}),
      });
      host.on('message', (_slot, message) => send(message));
      host.on('workerExit', (info) => {
        if (!stopping) send({ type: 'failed', error: `worker exited: ${JSON.stringify(info)}` });
      });
      send({ type: 'listening', url: host.url, workers: host.workers() });
    } else if (m.type === 'toWorker') {
      host?.send(m.slot as number, m.message);
    } else if (m.type === 'primaryStats') {
      const cpu = process.cpuUsage();
      send({ type: 'primaryStats', cpuUser: cpu.user, cpuSystem: cpu.system, rss: process.memoryUsage().rss });
    } else if (m.type === 'stop') {
      stopping = true;
      await host?.close();
      process.exit(0);
    }
  } catch (error) {
    send({ type: 'failed', error: String((error as Error)?.stack ?? error) });
    process.exit(1);
  }
});
process.on('disconnect', () => {
  void host?.close().then(() => process.exit(0));
});
send({ type: 'alive' });
