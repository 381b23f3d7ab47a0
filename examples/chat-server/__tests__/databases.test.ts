import { connect } from 'node:net';
import { openStorage } from '@concord/storage-adapters/open';
import { afterAll, describe, expect, it } from 'vitest';
import { createChatServer } from '../src/createChatServer.js';

const GENERAL = '1200000000000000001';
const suffix = `${process.pid}_${Date.now()}`;

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 500 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const services = [
  {
    name: 'postgres',
    port: 54320,
    url: `postgres://concord:concord@127.0.0.1:54320/concord?schema=chat_test_${suffix}`,
    async drop() {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: 'postgres://concord:concord@127.0.0.1:54320/concord' });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS chat_test_${suffix} CASCADE`);
      await client.end();
    },
  },
  {
    name: 'cassandra',
    port: 9042,
    url: `cassandra://127.0.0.1:9042/chat_test_${suffix}`,
    async drop() {
      const { default: cassandra } = await import('cassandra-driver');
      const client = new cassandra.Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
      await client.connect();
      await client.execute(`DROP KEYSPACE IF EXISTS chat_test_${suffix}`);
      await client.shutdown();
    },
  },
];

for (const service of services) {
  const up = await reachable(service.port);
  if (!up) {
    const how = `bash .ci/services/${service.name}.sh start`;
    if (process.env.CI === 'true')
      throw new Error(`${service.name} is not running on 127.0.0.1:${service.port} (${how})`);
    console.warn(`[chat-server] skipping the ${service.name} test: nothing on 127.0.0.1:${service.port} (${how})`);
  }

  describe.skipIf(!up)(`DATABASE_URL=${service.name}://…`, () => {
    afterAll(() => service.drop(), 60_000);

    it('stores and pages messages through the adapter', { timeout: 60_000 }, async () => {
      const server = await createChatServer({ storage: await openStorage(service.url), port: 0 });
      try {
        const headers = { Authorization: `${service.name}-user`, 'Content-Type': 'application/json' };
        for (const content of ['one', 'two', 'three']) {
          const res = await fetch(`${server.url}/api/v10/channels/${GENERAL}/messages`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ content }),
          });
          expect(res.status).toBe(200);
        }
        const page = (await (
          await fetch(`${server.url}/api/v10/channels/${GENERAL}/messages?limit=2`, { headers })
        ).json()) as { id: string; content: string }[];
        expect(page.map((m) => m.content)).toEqual(['three', 'two']);
        const older = (await (
          await fetch(`${server.url}/api/v10/channels/${GENERAL}/messages?before=${page[1]!.id}`, { headers })
        ).json()) as { content: string }[];
        expect(older.map((m) => m.content)).toEqual(['one']);
      } finally {
        await server.close();
      }
    });
  });
}
