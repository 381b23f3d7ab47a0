import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMessageStoreConformance } from '../src/conformance/index.js';
import { createSqliteStore } from '../src/sqlite/index.js';

const dir = mkdtempSync(join(tmpdir(), 'concord-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = () => join(dir, `db-${n++}.sqlite`);

runMessageStoreConformance('sqlite (file, WAL)', ({ bucketMs }) => createSqliteStore({ filename: file(), bucketMs }));
runMessageStoreConformance('sqlite (deflate, threshold 0)', ({ bucketMs }) =>
  createSqliteStore({ bucketMs, compression: 'deflate', compressionThreshold: 0 }),
);

describe('sqlite specifics', () => {
  it('uses WAL and records the schema version and bucket size', async () => {
    const store = createSqliteStore({ filename: file(), bucketMs: 3_600_000 });
    expect(store.database.pragma('journal_mode', { simple: true })).toBe('wal');
    const meta = store.database.prepare('SELECT key, value FROM messages_meta ORDER BY key').all();
    expect(meta).toEqual([
      { key: 'bucket_ms', value: '3600000' },
      { key: 'schema_version', value: '1' },
    ]);
    await store.close();
  });

  it('reopens a file with its stored bucket size and refuses a different one', async () => {
    const path = file();
    const a = createSqliteStore({ filename: path, bucketMs: 60_000 });
    await a.create({
      id: '175928847299117063',
      channelId: '1',
      guildId: null,
      authorId: '2',
      content: 'persisted',
      type: 0,
      flags: 0,
      extra: null,
    });
    await a.close();
    const b = createSqliteStore({ filename: path });
    expect(b.bucketMs).toBe(60_000);
    expect((await b.get('1', '175928847299117063'))?.content).toBe('persisted');
    await b.close();
    expect(() => createSqliteStore({ filename: path, bucketMs: 120_000 })).toThrow(/bucketMs/);
  });

  it('refuses a schema newer than the library', () => {
    const path = file();
    const a = createSqliteStore({ filename: path });
    a.database.prepare("UPDATE messages_meta SET value = '99' WHERE key = 'schema_version'").run();
    void a.close();
    expect(() => createSqliteStore({ filename: path })).toThrow(/schema version 99/);
  });

  it('stores long content compressed and short content plain', async () => {
    const store = createSqliteStore({ compression: 'deflate' });
    const long = 'the quick brown fox jumps over the lazy dog; '.repeat(20);
    await store.create({
      id: '10',
      channelId: '1',
      guildId: null,
      authorId: '2',
      content: long,
      type: 0,
      flags: 0,
      extra: null,
    });
    await store.create({
      id: '11',
      channelId: '1',
      guildId: null,
      authorId: '2',
      content: 'hi',
      type: 0,
      flags: 0,
      extra: null,
    });
    const rows = store.database
      .prepare('SELECT enc, length(content_z) AS z FROM messages ORDER BY message_id')
      .all() as Array<{
      enc: number;
      z: number | null;
    }>;
    expect(rows[0]!.enc).toBe(1);
    expect(rows[0]!.z).toBeLessThan(long.length / 4);
    expect(rows[1]).toEqual({ enc: 0, z: null });
    expect((await store.get('1', '10'))?.content).toBe(long);
    // A store opened without compression still reads compressed rows: each row says how it was written.
    const plain = createSqliteStore({ database: store.database });
    expect((await plain.get('1', '10'))?.content).toBe(long);
    await store.close();
  });

  it('reports corrupt rows with CORRUPT', async () => {
    const store = createSqliteStore({});
    await store.create({
      id: '10',
      channelId: '1',
      guildId: null,
      authorId: '2',
      content: 'x',
      type: 0,
      flags: 0,
      extra: { a: 1 },
    });
    store.database.prepare("UPDATE messages SET extra = '{nope'").run();
    await expect(store.get('1', '10')).rejects.toMatchObject({ code: 'CORRUPT' });
    store.database.prepare("UPDATE messages SET extra = NULL, enc = 1, content_z = x'00ff'").run();
    await expect(store.list('1')).rejects.toMatchObject({ code: 'CORRUPT' });
    await store.close();
    await expect(store.get('1', '10')).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
