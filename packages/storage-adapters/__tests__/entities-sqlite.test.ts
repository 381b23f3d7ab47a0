import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runEntityStoreConformance } from '../src/conformance/index.js';
import { createSqliteEntityStore, createSqliteStore, SQLITE_ENTITY_SCHEMA_VERSION } from '../src/sqlite/index.js';

const dir = mkdtempSync(join(tmpdir(), 'concord-sqlite-entities-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = () => join(dir, `entities-${n++}.sqlite`);

runEntityStoreConformance('sqlite (file, WAL)', () => createSqliteEntityStore({ filename: file() }));
runEntityStoreConformance('sqlite (:memory:)', () => createSqliteEntityStore());

describe('sqlite entity store specifics', () => {
  it('records its schema version and keeps its data across reopening', async () => {
    const path = file();
    const a = createSqliteEntityStore({ filename: path });
    expect(a.database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(a.database.prepare('SELECT key, value FROM concord_entities_meta').all()).toEqual([
      { key: 'schema_version', value: String(SQLITE_ENTITY_SCHEMA_VERSION) },
    ]);
    await a.write([{ op: 'put', kind: 'guild', partition: '1', id: '1', value: { name: 'kept' } }]);
    await a.close();
    const b = createSqliteEntityStore({ filename: path });
    expect(await b.get('guild', '1', '1')).toEqual({ name: 'kept' });
    await b.close();
  });

  it('refuses a schema newer than the library', async () => {
    const path = file();
    const a = createSqliteEntityStore({ filename: path });
    a.database.prepare("UPDATE concord_entities_meta SET value = '99' WHERE key = 'schema_version'").run();
    await a.close();
    expect(() => createSqliteEntityStore({ filename: path })).toThrow(/schema version 99/);
  });

  it('rolls a batch back when a statement fails inside the transaction', async () => {
    const store = createSqliteEntityStore();
    // A failure only the database sees (validation passes): a trigger refusing one id.
    store.database.exec(`CREATE TRIGGER refuse_boom BEFORE INSERT ON concord_entities WHEN NEW.id = 'boom'
      BEGIN SELECT RAISE(ABORT, 'boom refused'); END`);
    await store.write([{ op: 'put', kind: 'k', partition: 'p', id: 'old', value: 1 }]);
    await expect(
      store.write([
        { op: 'put', kind: 'k', partition: 'p', id: 'new', value: 2 },
        { op: 'delete', kind: 'k', partition: 'p', id: 'old' },
        { op: 'put', kind: 'k', partition: 'p', id: 'boom', value: 3 },
      ]),
    ).rejects.toThrow(/boom refused/);
    expect((await store.list('k', 'p')).map((r) => r.id)).toEqual(['old']);
    await expect(store.update('k', 'p', 'boom', () => ({ value: 1 }))).rejects.toThrow(/boom refused/);
    expect(await store.count('k', 'p')).toBe(1);
    await store.close();
  });

  it('reports a stored value that is not JSON as CORRUPT', async () => {
    const store = createSqliteEntityStore();
    await store.write([{ op: 'put', kind: 'k', partition: 'p', id: '1', value: 1 }]);
    store.database.prepare("UPDATE concord_entities SET value = '{not json'").run();
    await expect(store.get('k', 'p', '1')).rejects.toMatchObject({ code: 'CORRUPT' });
    await store.close();
  });

  it('shares a database with the message store and leaves it open on close', async () => {
    const messages = createSqliteStore({ filename: file() });
    const entities = createSqliteEntityStore({ database: messages.database, table: 'entities' });
    await entities.write([{ op: 'put', kind: 'k', partition: 'p', id: '1', value: 'v' }]);
    await entities.close();
    expect(messages.database.open).toBe(true);
    expect(messages.database.prepare('SELECT count(*) AS n FROM entities').get()).toEqual({ n: 1 });
    await messages.close();
  });

  it('serialises updates from two connections to the same file', async () => {
    const path = file();
    const a = createSqliteEntityStore({ filename: path });
    const b = createSqliteEntityStore({ filename: path });
    const inc = (current: number | null) => ({ value: (current ?? 0) + 1 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).update('k', 'p', 'counter', inc)));
    expect(await a.get('k', 'p', 'counter')).toBe(40);
    expect(await b.get('k', 'p', 'counter')).toBe(40);
    await a.close();
    await b.close();
  });
});
