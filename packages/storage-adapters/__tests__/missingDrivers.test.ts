import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { isStorageError, MissingDependencyError } from '../src/errors/index.js';
import { isMissingModule, requireOptional } from '../src/optionalDependency.js';

// The drivers are installed in this repository; here Node's resolver is made to say they are not, as it does for a
// user who installed only @concord/storage-adapters.
const ABSENT = new Set(['better-sqlite3', 'pg', 'cassandra-driver']);

function notFound(name: string): Error {
  const error = new Error(`Cannot find module '${name}'\nRequire stack:\n- /app/node_modules/@concord/x/dist/y.cjs`);
  return Object.assign(error, { code: 'MODULE_NOT_FOUND' });
}

vi.mock('node:module', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:module')>();
  return {
    ...actual,
    createRequire(url: string | URL) {
      const real = actual.createRequire(url);
      return Object.assign((name: string) => {
        if (ABSENT.has(name)) throw notFound(name);
        return real(name);
      }, real);
    },
  };
});

const { createSqliteEntityStore, createSqliteStore } = await import('../src/sqlite/index.js');
const { createPostgresStore } = await import('../src/postgres/index.js');
const { createCassandraStore } = await import('../src/cassandra/index.js');
const { openStorage } = await import('../src/open/index.js');

function expectMissing(error: unknown, packageName: string, causeCode = 'MODULE_NOT_FOUND'): void {
  expect(error).toBeInstanceOf(MissingDependencyError);
  const missing = error as MissingDependencyError;
  expect(isStorageError(missing, 'MISSING_DEPENDENCY')).toBe(true);
  expect(missing.code).toBe('MISSING_DEPENDENCY');
  expect(missing.packageName).toBe(packageName);
  expect(missing.message).toContain(`npm install ${packageName}`);
  expect((missing.cause as { code?: string }).code).toBe(causeCode);
}

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('a driver that is not installed', () => {
  const directory = mkdtempSync(join(tmpdir(), 'concord-missing-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('the SQLite stores name better-sqlite3', () => {
    expectMissing(
      thrownBy(() => createSqliteStore()),
      'better-sqlite3',
    );
    expectMissing(
      thrownBy(() => createSqliteEntityStore({ filename: join(directory, 'x.db') })),
      'better-sqlite3',
    );
  });

  it('openStorage on a SQLite URL names better-sqlite3', async () => {
    expectMissing(await openStorage(`sqlite:${join(directory, 'chat.db')}`).catch((e: unknown) => e), 'better-sqlite3');
  });

  it('the PostgreSQL store names pg', async () => {
    expectMissing(
      await createPostgresStore({ connectionString: 'postgres://127.0.0.1:1/none' }).catch((e: unknown) => e),
      'pg',
    );
  });

  it('the Cassandra store names cassandra-driver', async () => {
    expectMissing(await createCassandraStore({ keyspace: 'concord' }).catch((e: unknown) => e), 'cassandra-driver');
  });
});

describe('requireOptional', () => {
  it('reports the ESM resolver the same way', () => {
    const esm = Object.assign(new Error("Cannot find package 'pg' imported from /app/index.js"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    expectMissing(
      thrownBy(() =>
        requireOptional('pg', 'x', () => {
          throw esm;
        }),
      ),
      'pg',
      'ERR_MODULE_NOT_FOUND',
    );
    expect(isMissingModule(esm, 'pg')).toBe(true);
  });

  it('lets other load failures through unchanged (a module the driver itself needs, a broken native binding)', () => {
    const inner = notFound('bindings');
    expect(
      thrownBy(() =>
        requireOptional('better-sqlite3', 'x', () => {
          throw inner;
        }),
      ),
    ).toBe(inner);
    const binding = new Error('The module was compiled against a different Node.js version');
    expect(
      thrownBy(() =>
        requireOptional('better-sqlite3', 'x', () => {
          throw binding;
        }),
      ),
    ).toBe(binding);
  });

  it("uses Node's resolver by default", () => {
    expectMissing(
      thrownBy(() => requireOptional('concord-no-such-package', 'x')),
      'concord-no-such-package',
    );
    expect(requireOptional<{ sep: string }>('node:path', 'x').sep).toBeTypeOf('string');
  });
});
