import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { MessageStore } from '@concord/storage-adapters';
import { createInMemoryStore } from '@concord/storage-adapters';

/** A user as the chat server keeps it: the token names the user, the id is derived from the token. */
export interface UserRecord {
  id: string;
  username: string;
  bot: boolean;
  joinedAt: string;
}

/** Who has ever logged in (they are the Lobby's members). SQLite keeps them next to the messages; otherwise memory. */
export interface UserStore {
  all(): UserRecord[];
  save(user: UserRecord): void;
}

export interface Storage {
  kind: 'memory' | 'sqlite' | 'postgres' | 'cassandra';
  /** Where the data lives, for the startup log (credentials removed). */
  location: string;
  messages: MessageStore;
  users: UserStore;
  close(): Promise<void>;
}

function memoryUsers(): UserStore {
  const users = new Map<string, UserRecord>();
  return { all: () => [...users.values()], save: (u) => void users.set(u.id, u) };
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * Opens storage from a DATABASE_URL: `:memory:`, `sqlite:path` or a plain file path (default), `postgres://…`,
 * `cassandra://host:port/keyspace`. Drivers load only when their scheme is used.
 */
export async function openStorage(databaseUrl: string): Promise<Storage> {
  if (databaseUrl === ':memory:' || databaseUrl === 'memory:') {
    const messages = createInMemoryStore();
    return { kind: 'memory', location: ':memory:', messages, users: memoryUsers(), close: () => messages.close() };
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    // `?schema=name` picks the schema (default public); the rest of the URL goes to pg as is.
    const url = new URL(databaseUrl);
    const schema = url.searchParams.get('schema');
    url.searchParams.delete('schema');
    const { createPostgresStore } = await import('@concord/storage-adapters/postgres');
    const messages = await createPostgresStore({ connectionString: url.toString(), ...(schema ? { schema } : {}) });
    // Users are rebuilt as they log in again: their ids are derived from their tokens, so they stay stable.
    return {
      kind: 'postgres',
      location: redact(databaseUrl),
      messages,
      users: memoryUsers(),
      close: () => messages.close(),
    };
  }
  if (databaseUrl.startsWith('cassandra://')) {
    const url = new URL(databaseUrl);
    const keyspace = url.pathname.replace(/^\//, '') || 'concord';
    const { createCassandraStore } = await import('@concord/storage-adapters/cassandra');
    const messages = await createCassandraStore({
      contactPoints: [url.hostname || '127.0.0.1'],
      port: url.port ? Number(url.port) : 9042,
      localDataCenter: url.searchParams.get('dc') ?? 'datacenter1',
      keyspace,
    });
    return {
      kind: 'cassandra',
      location: redact(databaseUrl),
      messages,
      users: memoryUsers(),
      close: () => messages.close(),
    };
  }
  const filename = resolve(databaseUrl.replace(/^sqlite:(\/\/)?/, ''));
  mkdirSync(dirname(filename), { recursive: true });
  const [{ default: Database }, { createSqliteStore }] = await Promise.all([
    import('better-sqlite3'),
    import('@concord/storage-adapters/sqlite'),
  ]);
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  const messages = createSqliteStore({ database: db });
  db.exec(
    'CREATE TABLE IF NOT EXISTS chat_users (id TEXT PRIMARY KEY, username TEXT NOT NULL, bot INTEGER NOT NULL, joined_at TEXT NOT NULL)',
  );
  const insert = db.prepare(
    'INSERT INTO chat_users (id, username, bot, joined_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO NOTHING',
  );
  const select = db.prepare('SELECT id, username, bot, joined_at AS joinedAt FROM chat_users ORDER BY joined_at');
  const users: UserStore = {
    all: () =>
      (select.all() as { id: string; username: string; bot: number; joinedAt: string }[]).map((r) => ({
        ...r,
        bot: r.bot === 1,
      })),
    save: (u) => void insert.run(u.id, u.username, u.bot ? 1 : 0, u.joinedAt),
  };
  return {
    kind: 'sqlite',
    location: filename,
    messages,
    users,
    close: async () => {
      await messages.close();
      db.close();
    },
  };
}
