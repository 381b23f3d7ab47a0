// The reference client's text side in Node (its voice needs a browser's WebRTC: examples/game-web-client's Chromium
// test covers it): connect with a player token, join an invite-only party with a join token, chat both ways, the
// refusals as GameClientError, and the party's end.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { GameClient, GameClientError, type GameMessage } from '../src/client/index.js';
import { startMatchStack } from './matchHarness.js';

let stack: Awaited<ReturnType<typeof startMatchStack>> | null = null;
const clients: GameClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stack?.close();
  stack = null;
});

function nextMessage(client: GameClient, content: string): Promise<GameMessage> {
  return new Promise((resolve) => {
    const on = (m: GameMessage) => {
      if (m.content !== content) return;
      client.off('message', on);
      resolve(m);
    };
    client.on('message', on);
  });
}

describe('GameClient', () => {
  it('joins a party with a join token, chats both ways, and hears of the party’s end', async () => {
    stack = await startMatchStack();
    const { host, url } = stack;
    const ada = (await host.createPlayer({ id: '1300000000000000200', username: 'ada' })).id;
    const bob = (await host.createPlayer({ id: '1300000000000000201', username: 'bob' })).id;
    const party = await host.createParty({ leaderId: ada, joinMode: 'invite' });
    const a = new GameClient({ baseUrl: url, token: host.issueToken(ada) });
    const b = new GameClient({ baseUrl: url, token: host.issueToken(bob) });
    clients.push(a, b);
    expect(await a.connect()).toMatchObject({ id: ada, username: 'ada' });
    await b.connect();
    expect(b.guildId).toBe(host.guildId);

    // No join token: the game API's refusal, as an error to switch on.
    const refused = await b.joinParty(party.id).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GameClientError);
    expect(refused).toMatchObject({ code: 'REQUEST_FAILED', status: 401 });
    await expect(b.say('hi')).rejects.toMatchObject({ code: 'NOT_IN_PARTY' });

    await a.joinParty(party.id);
    const info = await b.joinParty(party.id, party.createJoinToken({ userId: bob }));
    expect(info).toMatchObject({ id: party.id, channelId: party.channelId });
    expect(info.members).toEqual(expect.arrayContaining([ada, bob]));

    const atBob = nextMessage(b, 'gg');
    const sent = await a.say('gg');
    expect(await atBob).toMatchObject({ id: sent.id, channelId: party.channelId, author: { id: ada } });
    const atAda = nextMessage(a, 'wp');
    await b.say('wp');
    expect((await atAda).author).toMatchObject({ id: bob, username: 'bob' });

    const left = new Promise<string>((resolve) => b.once('partyLeft', resolve));
    await party.end('ended');
    expect(await left).toBe(party.id);
    expect(b.party).toBeNull();
  });

  const built = new URL('../dist/client.js', import.meta.url);
  it.skipIf(!existsSync(built))('its built entry imports no Node module: a page bundles it as it is', () => {
    const code = readFileSync(built, 'utf8');
    expect(code).not.toMatch(/["']node:|require\(/);
    const bare = [...code.matchAll(/(?:from|import)\s*["']([^."'][^"']*)["']/g)].map((m) => m[1]);
    expect([...new Set(bare)].sort()).toEqual(['@concord/gateway-client', '@concord/voice/browser', 'eventemitter3']);
  });
});
