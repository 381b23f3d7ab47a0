/**
 * A worker of the bench host (forked by hostPrimary.ts through node:cluster): a real GatewayServer on the host's
 * shared port and its HostBroker, the load test's directory, and on request the load test's steady MESSAGE_CREATE
 * publisher. Commands come from the primary as `{ type, … }`; replies go back as `{ type: '<reply>:<slot>', … }`.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { joinGatewayHost } from '../../../src/host/index.js';
import { createGatewayServer } from '../../../src/index.js';
import { guildId, indexOfToken, message, userId } from '../load/fixtures.js';
import { loadDirectory } from '../load/loadDirectory.js';
import type { NodeStats, PublishCommand, Published } from '../load/node.js';
import { nodeStatsReader } from '../load/nodeStatsReader.js';
import { schedulePublish } from '../load/schedulePublish.js';

const guildSize = Number(process.env.BENCH_GUILD_SIZE ?? 100);
const worker = await joinGatewayHost();
const gateway = await createGatewayServer({
  server: worker.server,
  broker: worker.broker,
  directory: loadDirectory(guildSize),
  identifyIntervalMs: 0,
  sessionStartLimit: { total: 1e9, resetAfterMs: 1e9 },
  identifyLimitPerAddress: false,
  authenticate: (token) => {
    const index = indexOfToken(token);
    return index === null ? null : { user: { id: userId(index), username: `load${index}` } };
  },
});
await worker.ready({ onClose: () => gateway.close() });

const reply = (type: string, body: object = {}): void => {
  if (process.connected) process.send?.({ ...body, type: `${type}:${worker.slot}` }, undefined, {}, () => undefined);
};

// Garbage collection pauses since the last stats call: what a worker's sessions wait through.
let gcMs = 0;
let gcMaxMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcMs += entry.duration;
    if (entry.duration > gcMaxMs) gcMaxMs = entry.duration;
  }
}).observe({ entryTypes: ['gc'] });

const readStats = nodeStatsReader(() => ({
  sessions: gateway.sessionCount,
  connections: gateway.connectionCount,
  brokerPublished: worker.broker.stats.published,
  brokerReceived: worker.broker.stats.received,
}));

function stats(
  gc: boolean,
): NodeStats & { dropped: number; relayed: number; guildTopics: number; gcMs: number; gcMaxMs: number } {
  const pauses = { gcMs, gcMaxMs };
  gcMs = 0;
  gcMaxMs = 0;
  return {
    ...readStats(gc),
    dropped: worker.broker.stats.dropped,
    relayed: worker.broker.stats.relayed,
    guildTopics: worker.broker.topics().filter((t) => t.startsWith('guild:')).length,
    ...pauses,
  };
}

/** The load test's publisher (bench/lib/load/schedulePublish.ts): message n is due at t0 + n / rate and carries that time. */
function publish(c: PublishCommand): void {
  schedulePublish(
    c,
    (n, g, due) => gateway.dispatchRaw('MESSAGE_CREATE', message(n, g, due), { type: 'guild', guildId: guildId(g) }),
    (outcome) => reply('published', outcome satisfies Omit<Published, 'type'>),
  );
}

/** Waits until this worker knows of `expected` (peer, guild topic) subscriptions among guilds 0 … guilds − 1. */
async function linked(guilds: number, expected: number): Promise<void> {
  for (;;) {
    let seen = 0;
    for (let g = 0; g < guilds; g++) seen += worker.broker.listenersOf(`guild:${guildId(g)}`).length;
    if (seen >= expected) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

process.on('message', async (m: { type: string } & Record<string, unknown>) => {
  if (m.type === 'stats') reply('stats', stats(m.gc === true));
  else if (m.type === 'publish') publish(m as unknown as PublishCommand);
  else if (m.type === 'linked') {
    await linked(m.guilds as number, m.expected as number);
    reply('linked');
  }
});
