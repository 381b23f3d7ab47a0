import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createChatServer } from '../src/createChatServer.js';
import { openStorage } from '../src/storage.js';
import { startServer } from './startServer.js';

const GENERAL = '1200000000000000001';
const LOBBY = '1200000000000000000';

describe('embedding hooks', () => {
  it('a moderation hook rejects or rewrites messages before they are stored', async () => {
    const server = await createChatServer({
      storage: await openStorage(':memory:'),
      port: 0,
      moderate: async ({ content }) => {
        if (content.includes('spam')) return { reject: 'No spam here' };
        if (content.includes('darn')) return { content: content.replaceAll('darn', '****') };
      },
    });
    try {
      const post = (content: string) =>
        fetch(`${server.url}/api/v10/channels/${GENERAL}/messages`, {
          method: 'POST',
          headers: { Authorization: 'mod-test', 'Content-Type': 'application/json' },
          body: JSON.stringify({ content }),
        });
      const rejected = await post('buy spam now');
      expect(rejected.status).toBe(400);
      expect(await rejected.json()).toEqual({ code: 200000, message: 'No spam here' });
      const rewritten = (await (await post('darn it')).json()) as { content: string };
      expect(rewritten.content).toBe('**** it');
      const history = (await (
        await fetch(`${server.url}/api/v10/channels/${GENERAL}/messages`, { headers: { Authorization: 'mod-test' } })
      ).json()) as { content: string }[];
      expect(history.map((m) => m.content)).toEqual(['**** it']);
    } finally {
      await server.close();
    }
  });

  it('a production authenticate hook replaces dev auth', async () => {
    const server = await createChatServer({
      storage: await openStorage(':memory:'),
      port: 0,
      authenticate: (token) => (token === 's3cret' ? { id: '1300000000000000000', username: 'owner' } : null),
    });
    try {
      expect(server.devAuth).toBe(false);
      const me = await fetch(`${server.url}/api/v10/users/@me`, { headers: { Authorization: 'Bot s3cret' } });
      expect(((await me.json()) as { username: string }).username).toBe('owner');
      const denied = await fetch(`${server.url}/api/v10/users/@me`, { headers: { Authorization: 'anyone' } });
      expect(denied.status).toBe(401);
    } finally {
      await server.close();
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
