// Splits the cost of store.create against a direct better-sqlite3 insert (a profiling aid, not a bench):
// node --expose-gc --import tsx packages/storage-adapters/bench/tools/prof-sqlite-insert.ts
import Database from 'better-sqlite3';
import { createSqliteStore } from '../../src/sqlite/index.js';
import { validateNewMessage } from '../../src/validation.js';
import { freshMessages } from '../lib/history.js';
import { COLS, DDL_SQLITE, directValues } from '../lib/sqlDirect.js';

const texts = [
  'hello there, how is it going today?',
  'short',
  'a somewhat longer message with some words in it, like chat',
];
const fresh = freshMessages(texts);
const ch = '381870553235193857';
const db = new Database(':memory:');
const store = createSqliteStore({ database: db });
db.exec(DDL_SQLITE('direct'));
const insertSql = `INSERT INTO direct (${COLS}) VALUES (${COLS.split(',')
  .map(() => '?')
  .join(', ')})`;
const ins = db.prepare(insertSql);
const insSafe = db.prepare(insertSql).safeIntegers(true);
const bucketMs = store.bucketMs;
type M = ReturnType<typeof fresh>;

/** The hand-written insert, binding arguments one by one (spread) or as one array. */
const direct =
  (statement: Database.Statement, asArray = false) =>
  (m: M) => {
    const values = directValues(m, bucketMs);
    if (asArray) statement.run([...values]);
    else statement.run(...values);
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
const directSync = direct(ins);
const cases: Array<[string, (m: M) => unknown, boolean]> = [
  ['direct sync', directSync, false],
  ['direct async', async (m) => directSync(m), true],
  ['direct array', direct(ins, true), false],
  ['direct safeInt', direct(insSafe), false],
  ['validate+direct', (m) => directSync(validateNewMessage(m) as M), false],
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
