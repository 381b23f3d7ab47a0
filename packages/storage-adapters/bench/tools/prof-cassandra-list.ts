// Profiling aid (not a bench): repeated deep and newest pages through the store, for --cpu-prof.
import { Client, types } from 'cassandra-driver';
import { createCassandraStore } from '../../src/cassandra/index.js';
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
const SIGN = 1n << 63n;
const cols =
  'channel_id, bucket, message_id, guild_id, author_id, content, type, flags, edited_at, deleted, pinned, extra';
const opts = { prepare: true, consistency: types.consistencies.localQuorum };
const bucketsQ = `SELECT bucket FROM ${ks}.channel_buckets WHERE channel_id = ? AND bucket <= ? LIMIT 8`;
const pageQ = `SELECT ${cols} FROM ${ks}.messages WHERE channel_id = ? AND bucket = ? AND message_id < ? LIMIT ?`;
const bucketMs = BigInt(store.bucketMs);
const decode = (r: types.Row) => ({
  id: (BigInt(String(r.message_id)) + SIGN).toString(),
  channelId: String(r.channel_id),
  guildId: r.guild_id === null ? null : String(r.guild_id),
  authorId: String(r.author_id),
  content: r.content as string,
  type: r.type as number,
  flags: r.flags as number,
  editedAt: r.edited_at === null ? null : Number(String(r.edited_at)),
  deleted: r.deleted === true,
  pinned: r.pinned === true,
  extra: typeof r.extra === 'string' ? (JSON.parse(r.extra) as Record<string, unknown>) : null,
});
const directPage = async (before: bigint | null) => {
  const cursor = before ?? (1n << 64n) - 1n;
  const out: unknown[] = [];
  let from = (cursor >> 22n) / bucketMs;
  for (;;) {
    const buckets = await client.execute(bucketsQ, [channelId, from.toString()], opts);
    for (const b of buckets.rows) {
      const rs = await client.execute(
        pageQ,
        [channelId, String(b.bucket), (cursor - SIGN).toString(), 50 - out.length],
        opts,
      );
      for (const r of rs.rows) if (r.deleted !== true) out.push(decode(r));
      if (out.length >= 50) return out;
    }
    if (buckets.rows.length < 8) return out;
    from = BigInt(String(buckets.rows[buckets.rows.length - 1]!.bucket)) - 1n;
  }
};
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
        else await directPage(before);
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
