import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type BlobStore, createLocalDiskBlobStore } from '../blobs/index.js';
import { createInMemoryEntityStore, type EntityStore } from '../entities/index.js';
import { createInMemoryStore } from '../inMemory/index.js';
import type { MessageStore } from '../MessageStore.js';

/** What {@link openStorage} opened. */
export interface OpenedStorage {
  kind: 'memory' | 'sqlite' | 'postgres' | 'cassandra';
  /** Where the data lives, for a log line: the file, or the URL without its credentials. */
  location: string;
  /** Guilds, channels, members, users… (the community model's records). */
  entities: EntityStore;
  messages: MessageStore;
  /** Attachments, emoji, avatars: a local-disk blob store. */
  blobs: BlobStore;
  /** Closes every store (and removes the temporary blob folder of `:memory:`). */
  close(): Promise<void>;
}

export interface OpenStorageOptions {
  /**
   * Folder of the blob store. Default: `blobs/` next to the SQLite file, `./.data/blobs` for a database server, a
   * temporary folder (removed on close) for `:memory:`.
   */
  blobDirectory?: string;
}

/**
 * The stores of a chat backend from one URL (a `DATABASE_URL`), drivers loaded only for their scheme:
 * `:memory:`; `sqlite:path` or a plain file path (messages and entities in one SQLite file, WAL);
 * `postgres://…[?schema=name]` (both in PostgreSQL); `cassandra://host:port/keyspace[?dc=datacenter1]` (messages in
 * Cassandra, entities in memory: there is no Cassandra entity store).
 */
export async function openStorage(url: string, options: OpenStorageOptions = {}): Promise<OpenedStorage> {
  let kind: OpenedStorage['kind'];
  let location = url.replace(/\/\/[^@/]*@/, '//***@');
  let entities: EntityStore = createInMemoryEntityStore();
  let messages: MessageStore;
  let directory = options.blobDirectory ?? resolve('.data/blobs');
  let closeDatabase = (): void => {};
  if (url === ':memory:' || url === 'memory:') {
    kind = 'memory';
    messages = createInMemoryStore();
    if (!options.blobDirectory) {
      const temporary = mkdtempSync(join(tmpdir(), 'concord-blobs-'));
      directory = temporary;
      closeDatabase = () => rmSync(temporary, { recursive: true, force: true });
    }
  } else if (/^postgres(ql)?:\/\//.test(url)) {
    kind = 'postgres';
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema') ?? 'public';
    parsed.searchParams.delete('schema');
    const { createPostgresStore, createPostgresEntityStore } = await import('../postgres/index.js');
    messages = await createPostgresStore({ connectionString: parsed.toString(), schema });
    entities = await createPostgresEntityStore({ connectionString: parsed.toString(), schema });
  } else if (url.startsWith('cassandra://')) {
    kind = 'cassandra';
    const parsed = new URL(url);
    const { createCassandraStore } = await import('../cassandra/index.js');
    messages = await createCassandraStore({
      contactPoints: [parsed.hostname || '127.0.0.1'],
      port: parsed.port ? Number(parsed.port) : 9042,
      localDataCenter: parsed.searchParams.get('dc') ?? 'datacenter1',
      keyspace: decodeURIComponent(parsed.pathname.slice(1)) || 'concord',
    });
  } else {
    kind = 'sqlite';
    location = resolve(url.replace(/^sqlite:(\/\/)?/, ''));
    mkdirSync(dirname(location), { recursive: true });
    directory = options.blobDirectory ?? join(dirname(location), 'blobs');
    const [{ openSqliteDatabase }, sqlite] = await Promise.all([
      import('../sqlite/openSqliteDatabase.js'),
      import('../sqlite/index.js'),
    ]);
    // Set up as the stores set up a file of their own: WAL with NORMAL sync (this opened it with the default FULL,
    // an fsync per commit: two per posted message, the message and the channel's last_message_id), busy timeout.
    const { db: database } = openSqliteDatabase({ filename: location });
    messages = sqlite.createSqliteStore({ database });
    entities = sqlite.createSqliteEntityStore({ database });
    closeDatabase = () => database.close();
  }
  const blobs = createLocalDiskBlobStore({ directory });
  return {
    kind,
    location,
    entities,
    messages,
    blobs,
    async close() {
      await Promise.all([messages.close(), entities.close(), blobs.close()]);
      closeDatabase();
    },
  };
}
