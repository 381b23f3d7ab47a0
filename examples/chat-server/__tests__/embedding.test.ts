import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '@concord/storage-adapters/open';
import { afterAll, describe, expect, it } from 'vitest';
import { createChatServer } from '../src/createChatServer.js';
import { RawGateway } from './rawGateway.js';
import { startServer } from './startServer.js';

const GENERAL = '1200000000000000001';
const LOBBY = '1200000000000000000';

describe('embedding', () => {
  it('a production authenticate hook replaces dev auth, for REST and the gateway; its users join the Lobby', async () => {
    const server = await createChatServer({
      storage: await openStorage(':memory:'),
      port: 0,
      authenticate: (token) => (token === 's3cret' ? { user: { id: '1300000000000000000', username: 'owner' } } : null),
    });
    try {
      const me = await fetch(`${server.url}/api/v10/users/@me`, { headers: { Authorization: 'Bot s3cret' } });
      expect(((await me.json()) as { username: string }).username).toBe('owner');
      const guilds = await fetch(`${server.url}/api/v10/users/@me/guilds`, { headers: { Authorization: 's3cret' } });
      expect(((await guilds.json()) as { id: string }[]).map((g) => g.id)).toEqual([LOBBY]);
      const denied = await fetch(`${server.url}/api/v10/users/@me`, { headers: { Authorization: 'anyone' } });
      expect(denied.status).toBe(401);
      const port = Number(new URL(server.url).port);
      const gw = await RawGateway.identify(port, 's3cret');
      expect((await gw.waitFor('READY')).d.user.username).toBe('owner');
      gw.close();
      const refused = new RawGateway(port);
      await new Promise((resolve) => refused.ws.once('open', resolve));
      refused.ws.send(JSON.stringify({ op: 2, d: { token: 'anyone', intents: 1, properties: {} } }));
      expect(await refused.closed).toBe(4004);
    } finally {
      await server.close();
    }
  });

  it('the HTTP idle timeout does not close gateway sessions (the WebSocket upgrade leaves it)', async () => {
    const server = await createChatServer({ storage: await openStorage(':memory:'), port: 0, idleTimeoutMs: 200 });
    try {
      const gw = await RawGateway.identify(Number(new URL(server.url).port), 'idler');
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(gw.ws.readyState).toBe(gw.ws.OPEN);
      gw.close();
    } finally {
      await server.close();
    }
  });

  it('a second start on the same stores finds the Lobby instead of seeding another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chat-server-seed-'));
    try {
      for (let run = 0; run < 2; run++) {
        const server = await createChatServer({ storage: await openStorage(join(dir, 'chat.db')), port: 0 });
        const guilds = await fetch(`${server.url}/api/v10/users/@me/guilds`, { headers: { Authorization: 'seeder' } });
        expect(((await guilds.json()) as { name: string }[]).map((g) => g.name)).toEqual(['Lobby']);
        await server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite persistence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chat-server-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps messages and members across restarts, with stable user ids', async () => {
    const env = { DATABASE_URL: `sqlite:${join(dir, 'chat.db')}` };
    const first = await startServer(env);
    expect(first.output()).toContain('storage: sqlite');
    const posted = (await (
      await fetch(`${first.api}/channels/${GENERAL}/messages`, {
        method: 'POST',
        headers: { Authorization: 'keeper', 'Content-Type': 'application/json' },
        body: JSON.stringify({ content: 'still here?' }),
      })
    ).json()) as { id: string; author: { id: string } };
    await first.stop();

    const second = await startServer(env);
    try {
      // Another user asks: the member list and history come back from the file.
      const members = (await (
        await fetch(`${second.api}/guilds/${LOBBY}/members?limit=100`, { headers: { Authorization: 'visitor' } })
      ).json()) as { user: { id: string; username: string } }[];
      expect(members.find((m) => m.user.username === 'keeper')?.user.id).toBe(posted.author.id);
      const history = (await (
        await fetch(`${second.api}/channels/${GENERAL}/messages`, { headers: { Authorization: 'visitor' } })
      ).json()) as { id: string; content: string }[];
      expect(history).toMatchObject([{ id: posted.id, content: 'still here?' }]);
    } finally {
      await second.stop();
    }
  });
});
