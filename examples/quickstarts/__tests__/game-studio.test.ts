import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../chat-server/__tests__/startServer.js';
import { codeBlocks, type RunningScript, runScript, writeBlock } from './helpers/quickstart.js';

// docs/quickstarts/game-studio.md: the first js block is chat-server.mjs, the second player.mjs.
const [serverCode, playerCode] = codeBlocks('game-studio');
type Player = { id: string; token: string; guildId: string; voiceChannelId: string };
let server: RunningScript;
let url: string;
const players: RunningScript[] = [];

const post = async <T>(path: string, body: unknown, token?: string): Promise<T> => {
  const headers = { 'Content-Type': 'application/json', ...(token ? { Authorization: token } : {}) };
  const response = await fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  expect(response.status, `${path}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as T;
};

beforeAll(async () => {
  const port = await freePort();
  server = runScript(writeBlock('game-studio', 'chat-server.mjs', serverCode!), {
    PORT: String(port),
    DATABASE_URL: ':memory:',
  });
  await server.waitFor(/game chat on http:\/\/127\.0\.0\.1:\d+, voice on port \d+/);
  url = `http://127.0.0.1:${port}`;
  writeBlock('game-studio', 'player.mjs', playerCode!);
});
afterAll(async () => {
  await Promise.all(players.map((p) => p.stop()));
  await server?.stop();
});

it('three players: bob hears alice, carol across the map does not; the party is theirs', async () => {
  const join = (name: string, x: number, y: number) => post<Player>('/game/players', { name, x, y });
  const alice = await join('alice', 0, 0);
  const bob = await join('bob', 10, 0);
  const carol = await join('carol', 200, 0);
  const play = (player: Player, env: Record<string, string> = {}) => {
    const script = runScript(writeBlock('game-studio', 'player.mjs', playerCode!), {
      PLAYER: JSON.stringify(player),
      CHAT_URL: url,
      ...env,
    });
    players.push(script);
    return script;
  };
  const bobClient = play(bob);
  const carolClient = play(carol);
  await bobClient.waitFor(/bob in voice/);
  await carolClient.waitFor(/carol in voice/);
  const aliceClient = play(alice, { TALK: '1' });
  await aliceClient.waitFor(/alice in voice/);

  await bobClient.waitFor(/bob hears alice/);
  // The SFU decides per packet: once it has dropped packets for carol as out of range, she cannot get them.
  let stats: { dropped: { outOfRange: number } } = { dropped: { outOfRange: 0 } };
  while (stats.dropped.outOfRange === 0) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    stats = await (await fetch(`${url}/game/voice-stats`)).json();
  }
  expect(carolClient.output()).not.toMatch(/hears alice/);

  const party = await post<{ id: string; name: string }>('/game/parties', {
    name: 'party-1',
    players: [alice.id, bob.id],
  });
  await post(`/api/v10/channels/${party.id}/messages`, { content: 'gg' }, alice.token);
  await bobClient.waitFor(/bob sees #party-1 alice: gg/);
  const refused = await fetch(`${url}/api/v10/channels/${party.id}`, { headers: { Authorization: carol.token } });
  expect(refused.status).toBe(403);
  // A later world message reaches carol, so the party's had reached her client before it, had it been sent to her.
  const worldChat = await (
    await fetch(`${url}/api/v10/guilds/${alice.guildId}/channels`, { headers: { Authorization: alice.token } })
  ).json();
  const general = (worldChat as { id: string; name: string }[]).find((c) => c.name === 'general')!;
  await post(`/api/v10/channels/${general.id}/messages`, { content: 'hello world' }, alice.token);
  await carolClient.waitFor(/carol sees #general alice: hello world/);
  expect(carolClient.output()).not.toMatch(/party-1/);
});
