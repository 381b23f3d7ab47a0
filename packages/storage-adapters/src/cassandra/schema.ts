import type { Client } from 'cassandra-driver';
import { InvalidArgumentError } from '../errors/index.js';
import { mapDriverError } from './mapDriverError.js';

export type CassandraReplication =
  | { class: 'SimpleStrategy'; replication_factor: number }
  | { class: 'NetworkTopologyStrategy'; [dataCenter: string]: number | string };

export interface CassandraSchemaOptions {
  keyspace: string;
  /** Used only when the keyspace does not exist yet. Default: SimpleStrategy, replication_factor 1 (dev/test). */
  replication?: CassandraReplication;
}

const IDENT = /^[a-zA-Z][a-zA-Z0-9_]{0,47}$/;

/** Keyspace names are interpolated into CQL (they cannot be bound), so only plain identifiers are accepted. */
export function assertKeyspace(keyspace: string): void {
  if (!IDENT.test(keyspace)) throw new InvalidArgumentError(`invalid keyspace name: ${JSON.stringify(keyspace)}`);
}

/** CQL of the whole schema, in creation order. Every statement is IF NOT EXISTS, so running it again is a no-op. */
export function cassandraSchema(options: CassandraSchemaOptions): string[] {
  assertKeyspace(options.keyspace);
  const replication = options.replication ?? { class: 'SimpleStrategy', replication_factor: 1 };
  const map = Object.entries(replication)
    .map(([k, v]) => {
      if (!/^[A-Za-z0-9_.-]+$/.test(k) || !/^[A-Za-z0-9_.-]+$/.test(String(v))) {
        throw new InvalidArgumentError(`invalid replication option ${k}`);
      }
      return `'${k}': '${v}'`;
    })
    .join(', ');
  const ks = options.keyspace;
  return [
    `CREATE KEYSPACE IF NOT EXISTS ${ks} WITH replication = {${map}}`,
    // One partition per (channel, bucket); newest first inside it, which is the order almost every read wants.
    // message_id holds id - 2^63 (see ids.ts); bucket is a bigint so that tiny bucket spans cannot overflow it.
    `CREATE TABLE IF NOT EXISTS ${ks}.messages (
      channel_id bigint,
      bucket bigint,
      message_id bigint,
      guild_id bigint,
      author_id bigint,
      content text,
      type int,
      flags int,
      edited_at bigint,
      deleted boolean,
      pinned boolean,
      extra text,
      PRIMARY KEY ((channel_id, bucket), message_id)
    ) WITH CLUSTERING ORDER BY (message_id DESC)`,
    // One row per non-empty bucket of a channel: the first and last rows give the channel's bucket range, and walking
    // history reads the list of buckets that hold anything instead of probing every empty span down to the first one.
    // Rows are only ever inserted (idempotent), so concurrent writers need no read-modify-write.
    `CREATE TABLE IF NOT EXISTS ${ks}.channel_buckets (
      channel_id bigint,
      bucket bigint,
      PRIMARY KEY (channel_id, bucket)
    ) WITH CLUSTERING ORDER BY (bucket DESC)`,
  ];
}

/**
 * Creates the keyspace and tables if they are missing; safe to run concurrently from several processes and on every
 * start (the driver waits for schema agreement after each DDL statement).
 */
export async function ensureCassandraSchema(client: Client, options: CassandraSchemaOptions): Promise<void> {
  for (const cql of cassandraSchema(options)) {
    try {
      await client.execute(cql);
    } catch (err) {
      throw mapDriverError(err, 'schema bootstrap');
    }
  }
}
