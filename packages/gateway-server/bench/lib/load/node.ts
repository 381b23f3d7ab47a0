// Source, like the other benches (tsx transpiles it once at start; the hot path is the same code as the build).
import { type Broker, createGatewayServer, type Directory } from '../../../src/index.js';
import type { BusBroker } from '../../../src/redis/index.js';
import { guildId, indexOfToken, message, userId } from './fixtures.js';
import { loadDirectory } from './loadDirectory.js';
import { nodeStatsReader, type ReadStats } from './nodeStatsReader.js';
import { schedulePublish } from './schedulePublish.js';

export type BrokerKind = 'memory' | 'redis' | 'nats';

export interface NodeStart {
  type: 'start';
  broker: BrokerKind;
  /** Channel/subject prefix on the bus, unique per run: Redis and NATS are shared with other tests. */
  prefix: string;
  guildSize: number;
}

export interface PublishCommand {
  type: 'publish';
  /**
   * Messages per second, spread evenly over `guilds` guilds: `offset`, `offset + stride`, … (default 0 and 1: guilds
   * `0 .. guilds - 1`).
   */
  rate: number;
  guilds: number;
  offset?: number;
  stride?: number;
  /** Measured window on CLOCK_MONOTONIC ms; publishing starts on receipt (the warm-up) and ends at `to`. */
  from: number;
  to: number;
}

/** What a node answers to `stats` (the fields are nodeStatsReader.ts's: memory, CPU, context switches, ELU, counts). */
export type NodeStats = ReadStats;

export interface Published {
  type: 'published';
  /** Messages whose publish time falls in the measured window [from, to) (CLOCK_MONOTONIC ms). */
  measured: number;
  total: number;
  /** Messages sent more than 50 ms after they were due (the publishing node's event loop was busy). */
  late: number;
  from: number;
  to: number;
  /** Largest gap between two publisher ticks, ms: how late the publisher itself ran (event-loop lag). */
  maxTickGapMs: number;
}

type Command = NodeStart | PublishCommand | { type: 'stats'; gc: boolean } | { type: 'stop' };

const send = (m: unknown): void => {
  // With a callback a failed send (the orchestrator is gone) is not an uncaught error event.
  if (process.connected) process.send?.(m, undefined, {}, () => undefined);
};

async function openBroker(start: NodeStart): Promise<BusBroker | undefined> {
  if (start.broker === 'redis') {
    const { createRedisBroker } = await import('../../../src/redis/index.js');
    return createRedisBroker({ prefix: start.prefix });
  }
  if (start.broker === 'nats') {
    const { createNatsBroker } = await import('../../../src/brokers/nats.js');
    return createNatsBroker({ prefix: start.prefix });
  }
  return undefined;
}

async function main(start: NodeStart): Promise<void> {
  const { guildSize } = start;
  // A large-guild snapshot, as memory.ts uses: GUILD_CREATE carries no member list (Discord does the same above
  // large_threshold), so what a session costs is the session, not a copy of its guild.
  const directory: Directory = loadDirectory(guildSize);
  const broker = await openBroker(start);
  const gateway = await createGatewayServer({
    port: 0,
    host: '127.0.0.1',
    directory,
    ...(broker ? { broker: broker as Broker } : {}),
    // Every session of the test is a different user, opened as fast as the clients can: no identify throttle.
    identifyIntervalMs: 0,
    sessionStartLimit: { total: 1e9, resetAfterMs: 1e9 },
    // Every load client connects from loopback: no per-address Identify limit.
    identifyLimitPerAddress: false,
    authenticate: (token) => {
      const index = indexOfToken(token);
      return index === null ? null : { user: { id: userId(index), username: `load${index}` } };
    },
  });
  if (broker) await broker.ready();

  const stats: (gc: boolean) => NodeStats = nodeStatsReader(() => ({
    sessions: gateway.sessionCount,
    connections: gateway.connectionCount,
    brokerPublished: broker?.stats.published ?? 0,
    brokerReceived: broker?.stats.received ?? 0,
  }));

  const publish = (c: PublishCommand): void => {
    const offset = c.offset ?? 0;
    const stride = c.stride ?? 1;
    schedulePublish(
      c,
      (n, i, due) => {
        const g = offset + i * stride;
        gateway.dispatchRaw('MESSAGE_CREATE', message(n, g, due), { type: 'guild', guildId: guildId(g) });
      },
      (outcome) => send({ type: 'published', ...outcome } satisfies Published),
    );
  };

  process.on('message', async (m: Command) => {
    if (m.type === 'stats') send(stats(m.gc));
    else if (m.type === 'publish') publish(m);
    else if (m.type === 'stop') {
      await gateway.close();
      await broker?.close();
      process.exit(0);
    }
  });
  send({ type: 'listening', url: gateway.url });
}

process.on('disconnect', () => process.exit(0));
process.once('message', (m: Command) => {
  if (m.type !== 'start') return;
  main(m).catch((error) => {
    send({ type: 'failed', error: String(error?.stack ?? error) });
    process.exit(1);
  });
});
send({ type: 'alive' });
