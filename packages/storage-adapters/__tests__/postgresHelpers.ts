import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { requireService } from '@concord/test-services';
import pg from 'pg';

export const DEFAULT_POSTGRES_URL = 'postgres://concord:concord@127.0.0.1:54320/concord';
export const POSTGRES_URL = process.env.POSTGRES_URL ?? DEFAULT_POSTGRES_URL;
/** The stop/restart fault test drives .ci/services/postgres.sh, so it only runs against the server that script manages. */
export const SCRIPT_MANAGED = POSTGRES_URL === DEFAULT_POSTGRES_URL;
export const SERVICE_SCRIPT = resolve(import.meta.dirname, '../../../.ci/services/postgres.sh');

export async function postgresUp(): Promise<boolean> {
  return requireService({
    name: 'postgres',
    howToStart: 'bash .ci/services/postgres.sh start',
    probe: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
      await client.connect();
      await client.end();
    },
  });
}

export async function serviceScript(action: 'start' | 'stop' | 'status'): Promise<void> {
  await promisify(execFile)('bash', [SERVICE_SCRIPT, action], { timeout: 90_000 });
}

/** A schema private to this test run, dropped at the end. */
export function testSchemaName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}`;
}

export async function adminQuery(sql: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await client.query(sql, values);
  } finally {
    await client.end();
  }
}
