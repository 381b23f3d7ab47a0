import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runEntityStoreConformance } from '../src/conformance/index.js';
import { createPostgresEntityStore, POSTGRES_ENTITY_SCHEMA_VERSION } from '../src/postgres/index.js';
import { adminQuery, POSTGRES_URL, postgresUp, testSchemaName } from './postgresHelpers.js';
import { sharePostgresServer } from './postgresServerLock.js';

const up = await postgresUp();
// A schema of its own: the message store tests run in parallel against the same database.
const schema = testSchemaName('concord_entities_test');
// Keeps postgres.test.ts from stopping the server under these tests (its fault test waits for this file to finish).
const release = up ? await sharePostgresServer() : () => undefined;

afterAll(async () => {
  if (up) await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  release();
});

if (up) {
  runEntityStoreConformance('postgres', () => createPostgresEntityStore({ connectionString: POSTGRES_URL, schema }));
}

describe.skipIf(!up)('postgres entity store specifics', () => {
  it('records its schema version and refuses a newer one', async () => {
    const table = 'versioned';
    const store = await createPostgresEntityStore({ connectionString: POSTGRES_URL, schema, table });
    const meta = await adminQuery(`SELECT key, value FROM "${schema}"."${table}_meta"`);
    expect(meta.rows).toEqual([{ key: 'schema_version', value: String(POSTGRES_ENTITY_SCHEMA_VERSION) }]);
    await store.close();
    await adminQuery(`UPDATE "${schema}"."${table}_meta" SET value = '99' WHERE key = 'schema_version'`);
    await expect(createPostgresEntityStore({ connectionString: POSTGRES_URL, schema, table })).rejects.toThrow(
      /schema version 99/,
    );
  });

  it('stores values as jsonb and rolls a batch back when a statement fails inside the transaction', async () => {
    const table = 'rollback';
    const store = await createPostgresEntityStore({ connectionString: POSTGRES_URL, schema, table });
    const type = await adminQuery(
      `SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = 'value'`,
      [schema, table],
    );
    expect(type.rows).toEqual([{ data_type: 'jsonb' }]);
    // A failure only the database sees (validation passes): a trigger refusing one id.
    await adminQuery(`CREATE FUNCTION "${schema}".refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.id = 'boom' THEN RAISE EXCEPTION 'boom refused'; END IF; RETURN NEW; END $$`);
    await adminQuery(`CREATE TRIGGER refuse_boom BEFORE INSERT ON "${schema}"."${table}"
        FOR EACH ROW EXECUTE FUNCTION "${schema}".refuse_boom()`);
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

  it('uses a pool it is given and leaves it open on close; two stores on one table see each other', async () => {
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 4 });
    const a = await createPostgresEntityStore({ pool, schema, table: 'shared' });
    const b = await createPostgresEntityStore({ connectionString: POSTGRES_URL, schema, table: 'shared' });
    const inc = (current: number | null) => ({ value: (current ?? 0) + 1 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).update('k', 'p', 'counter', inc)));
    expect(await a.get('k', 'p', 'counter')).toBe(40);
    await a.close();
    await b.close();
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await pool.end();
  });

  it('rejects with UNAVAILABLE when the server cannot be reached', async () => {
    const url = new URL(POSTGRES_URL);
    url.port = '1';
    await expect(
      createPostgresEntityStore({ connectionString: url.toString(), poolConfig: { connectionTimeoutMillis: 2000 } }),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
