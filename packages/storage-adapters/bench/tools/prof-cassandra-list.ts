// Client CPU per page, our Cassandra store against the hand-written driver calls, interleaved (a profiling aid, not a
// bench): node --import tsx packages/storage-adapters/bench/tools/prof-cassandra-list.ts   (needs Cassandra on 9042)
import { Client } from 'cassandra-driver';
import { createCassandraStore } from '../../src/cassandra/index.js';
import { cassandraDirect } from '../lib/cassandraDirect.js';
import { channelHistory, deepCursor } from '../lib/history.js';

const client = new Client({
  contactPoints: ['127.0.0.1'],
  localDataCenter: 'datacenter1',
  protocolOptions: { port: 9042 },
  encoding: { useBigIntAsLong: true },
});
await client.connect();
const ks = 'concord_prof';
await client.execute(
  `CREATE KEYSPACE IF NOT EXISTS ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
);
const store = await createCassandraStore({ client, keyspace: ks });
const channelId = '381870553235193857';
const messages = channelHistory(channelId, ['hello there', 'a longer line of chat text'], {
  count: 1500,
  stepMs: 1_000_000,
});
if ((await store.list(channelId, { limit: 1 })).length === 0) for (const m of messages) await store.create(m);
const deep = deepCursor(messages);
for (const [name, q] of [
  ['newest', { limit: 50 }],
  ['deep', { before: deep, limit: 50 }],
] as const) {
  const s0 = store.stats();
  await store.list(channelId, q);
  const s1 = store.stats();
  console.log(name, 'queries', s1.queries - s0.queries, 'partitions', s1.bucketsRead - s0.bucketsRead);
}
const direct = cassandraDirect(client, ks, channelId, store.bucketMs);
const cpu = { ours: [0, 0], direct: [0, 0] };
for (let r = 0; r < 6; r++) {
  for (const who of r % 2 ? (['ours', 'direct'] as const) : (['direct', 'ours'] as const)) {
    for (const [k, before] of [
      [0, null],
      [1, BigInt(deep)],
    ] as const) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < 100; i++) {
        if (who === 'ours') await store.list(channelId, before === null ? { limit: 50 } : { before: deep, limit: 50 });
        else await direct.page(before);
      }
      const c = process.cpuUsage(c0);
      cpu[who][k]! += c.user + c.system;
    }
  }
}
console.log('cpu µs/call newest ours', cpu.ours[0]! / 600, 'direct', cpu.direct[0]! / 600);
console.log('cpu µs/call deep   ours', cpu.ours[1]! / 600, 'direct', cpu.direct[1]! / 600);
await store.close();
await client.shutdown();
