// Issue #13 cause 8: Discord serves gateway v9 beside v10 (a popular Go library defaults to v9). The one v9/v10
// difference a gateway session sees: on v10 MESSAGE_CONTENT must be asked for in Identify, on v9 and below Discord
// applies it when the app is allowed it ("API v10 ... Message Content intent": discord-api-docs discussion #4510).
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../src/GatewayServer.js';
import { ALL_NON_PRIVILEGED, connect, GUILD_A, startServer, type TestClient } from './helpers.js';

let server: GatewayServer | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = undefined;
});

const message = {
  id: '1234567890123456789',
  channel_id: `${GUILD_A}1`,
  guild_id: GUILD_A,
  author: { id: '3', username: 'user3', bot: false },
  content: 'hello',
  embeds: [],
  attachments: [],
  mentions: [],
  tts: false,
};

async function session(query: string, allowed: boolean | number = true): Promise<TestClient> {
  server = await startServer({ privilegedIntentsAllowed: () => allowed });
  const c = await connect(server, query);
  clients.push(c);
  return c;
}

describe('gateway API version', () => {
  for (const encoding of ['json', 'etf']) {
    it(`serves v=9 (${encoding}): READY says v 9, dispatches flow`, async () => {
      const c = await session(`v=9&encoding=${encoding}`);
      const ready = await c.ready('1', { intents: ALL_NON_PRIVILEGED });
      expect(ready.d.v).toBe(9);
      await c.dispatch('GUILD_CREATE');
      server!.dispatchRaw('MESSAGE_CREATE', message, { type: 'guild', guildId: GUILD_A });
      const got = await c.dispatch('MESSAGE_CREATE');
      // v9: MESSAGE_CONTENT applies without being asked for, when the app is allowed it.
      expect(got.d.content).toBe('hello');
    });
  }

  it('v=9 without MESSAGE_CONTENT allowed: content is withheld', async () => {
    const c = await session('v=9&encoding=json', 0);
    await c.ready('1', { intents: ALL_NON_PRIVILEGED });
    await c.dispatch('GUILD_CREATE');
    server!.dispatchRaw('MESSAGE_CREATE', message, { type: 'guild', guildId: GUILD_A });
    expect((await c.dispatch('MESSAGE_CREATE')).d.content).toBe('');
  });

  it('v=10 needs MESSAGE_CONTENT in Identify: content is withheld without it', async () => {
    const c = await session('v=10&encoding=json');
    const ready = await c.ready('1', { intents: ALL_NON_PRIVILEGED });
    expect(ready.d.v).toBe(10);
    await c.dispatch('GUILD_CREATE');
    server!.dispatchRaw('MESSAGE_CREATE', message, { type: 'guild', guildId: GUILD_A });
    expect((await c.dispatch('MESSAGE_CREATE')).d.content).toBe('');
  });

  it('refuses other versions with 4012', async () => {
    for (const v of ['8', '11', '']) {
      const c = await session(`v=${v}&encoding=json`);
      expect((await c.closed).code).toBe(4012);
      await server!.close();
    }
  });
});
