// Splits the cost of store.create against a direct better-sqlite3 insert (a profiling aid, not a bench).
import Database from 'better-sqlite3';
import { createSqliteStore } from '../../src/sqlite/index.js';
import { validateNewMessage } from '../../src/validation.js';
import { freshMessages } from '../lib/history.js';

const texts = [
  'hello there, how is it going today?',
  'short',
  'a somewhat longer message with some words in it, like chat',
];
const fresh = freshMessages(texts);
const ch = '381870553235193857';
const SIGN = 1n << 63n;
const db = new Database(':memory:');
const store = createSqliteStore({ database: db });
db.exec(`CREATE TABLE direct (channel_id INTEGER NOT NULL, bucket INTEGER NOT NULL,
  message_id INTEGER NOT NULL, guild_id INTEGER, author_id INTEGER NOT NULL, content TEXT NOT NULL, content_z BLOB,
  enc INTEGER NOT NULL DEFAULT 0, type INTEGER NOT NULL, flags INTEGER NOT NULL, edited_at INTEGER,
  deleted INTEGER NOT NULL DEFAULT 0, pinned INTEGER NOT NULL DEFAULT 0, extra TEXT,
  PRIMARY KEY (channel_id, bucket, message_id)) WITHOUT ROWID`);
const COLS =
  'channel_id, bucket, message_id, guild_id, author_id, content, content_z, enc, type, flags, edited_at, deleted, pinned, extra';
const ins = db.prepare(
  `INSERT INTO direct (${COLS}) VALUES (${COLS.split(',')
    .map(() => '?')
    .join(', ')})`,
);
const insSafe = db
  .prepare(
    `INSERT INTO direct (${COLS}) VALUES (${COLS.split(',')
      .map(() => '?')
      .join(', ')})`,
  )
  .safeIntegers(true);
const bucketMs = store.bucketMs;
type M = ReturnType<typeof fresh>;
const direct = (m: M) => {
  const id = BigInt(m.id);
  ins.run(
    BigInt(m.channelId),
    Number((id >> 22n) / BigInt(bucketMs)),
    id - SIGN,
    m.guildId === null ? null : BigInt(m.guildId),
    BigInt(m.authorId),
    m.content,
    null,
    0,
    m.type,
    m.flags,
    null,
    0,
    0,
    m.extra === null ? null : JSON.stringify(m.extra),
  );
  return m;
};
const directArray = (m: M) => {
  const id = BigInt(m.id);
  ins.run([
    BigInt(m.channelId),
    Number((id >> 22n) / BigInt(bucketMs)),
    id - SIGN,
    m.guildId === null ? null : BigInt(m.guildId),
    BigInt(m.authorId),
    m.content,
    null,
    0,
    m.type,
    m.flags,
    null,
    0,
    0,
    m.extra === null ? null : JSON.stringify(m.extra),
  ]);
  return m;
};
const directSafe = (m: M) => {
  const id = BigInt(m.id);
  insSafe.run(
    BigInt(m.channelId),
    Number((id >> 22n) / BigInt(bucketMs)),
    id - SIGN,
    m.guildId === null ? null : BigInt(m.guildId),
    BigInt(m.authorId),
    m.content,
    null,
    0,
    m.type,
    m.flags,
    null,
    0,
    0,
    m.extra === null ? null : JSON.stringify(m.extra),
  );
  return m;
};
const N = 20000;
async function time(fn: (m: M) => unknown, isAsync: boolean) {
  const msgs = Array.from({ length: N }, () => fresh(ch));
  const t = performance.now();
  if (isAsync) for (let i = 0; i < N; i++) await fn(msgs[i]!);
  else for (let i = 0; i < N; i++) fn(msgs[i]!);
  return ((performance.now() - t) * 1000) / N;
}
const cases: Array<[string, (m: M) => unknown, boolean]> = [
  ['direct sync', direct, false],
  ['direct async', async (m) => direct(m), true],
  ['direct array', directArray, false],
  ['direct safeInt', directSafe, false],
  ['validate+direct', (m) => direct(validateNewMessage(m) as M), false],
  ['validate only', (m) => validateNewMessage(m), false],
  ['store.create', (m) => store.create(m), true],
];
const res: Record<string, number[]> = {};
for (let r = 0; r < 8; r++)
  for (const [n, f, a] of r % 2 ? [...cases].reverse() : cases) {
    const list = res[n] ?? [];
    res[n] = list;
    list.push(await time(f, a));
  }
for (const [n, v] of Object.entries(res)) {
  v.sort((a, b) => a - b);
  console.log(n.padEnd(16), v[v.length >> 1]!.toFixed(2), 'µs');
}
