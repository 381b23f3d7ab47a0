import { type Client, types } from 'cassandra-driver';
import type { NewMessage, StoredMessage } from '../../src/index.js';

const SIGN = 1n << 63n;

/**
 * The Cassandra baseline: the same statements as the store, written directly with cassandra-driver (same tables,
 * prepared, same consistency) — what an application would write by hand for the same model.
 */
export function cassandraDirect(client: Client, keyspace: string, channelId: string, bucketMs: number) {
  const ks = keyspace;
  const opts = {
    prepare: true,
    consistency: types.consistencies.localQuorum,
    serialConsistency: types.consistencies.localSerial,
  };
  const cols =
    'channel_id, bucket, message_id, guild_id, author_id, content, type, flags, edited_at, deleted, pinned, extra';
  const insertQ = `INSERT INTO ${ks}.messages (${cols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS`;
  const bucketQ = `INSERT INTO ${ks}.channel_buckets (channel_id, bucket) VALUES (?, ?)`;
  const bucketsQ = `SELECT bucket FROM ${ks}.channel_buckets WHERE channel_id = ? AND bucket <= ? LIMIT 8`;
  const pageQ = `SELECT ${cols} FROM ${ks}.messages WHERE channel_id = ? AND bucket = ? AND message_id < ? LIMIT ?`;
  const span = BigInt(bucketMs);
  const known = new Set<string>();

  const insert = async (m: NewMessage) => {
    const id = BigInt(m.id);
    const bucket = ((id >> 22n) / span).toString();
    if (!known.has(bucket)) {
      await client.execute(bucketQ, [m.channelId, bucket], opts);
      known.add(bucket);
    }
    const rs = await client.execute(
      insertQ,
      [
        m.channelId,
        bucket,
        (id - SIGN).toString(),
        m.guildId,
        m.authorId,
        m.content,
        m.type,
        m.flags,
        null,
        false,
        false,
        m.extra === null ? null : JSON.stringify(m.extra),
      ],
      opts,
    );
    if (rs.rows[0]?.['[applied]'] !== true) throw new Error('duplicate');
  };

  const decode = (r: types.Row): StoredMessage => ({
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

  /** List the channel's buckets, read partitions newest first until 50 live rows. */
  const page = async (before: bigint | null) => {
    const cursor = before ?? (1n << 64n) - 1n;
    const out: StoredMessage[] = [];
    let from = (cursor >> 22n) / span;
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

  return { insert, page };
}
