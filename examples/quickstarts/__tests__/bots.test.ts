import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../chat-server/__tests__/startServer.js';
import { GENERAL_TEXT_ID } from '../../chat-server/src/createChatServer.js';
import { codeBlocks, type RunningScript, runScript, writeBlock } from './helpers/quickstart.js';

// docs/quickstarts/bots.md: its one js block is the discord.js bot (discord.py and JDA are covered by interop/).
const [botCode] = codeBlocks('bots');
let server: RunningServer;
let bot: RunningScript;

beforeAll(async () => {
  server = await startServer();
  bot = runScript(writeBlock('bots', 'bot.mjs', botCode!), { CONCORD_API: `${server.url}/api` });
  await bot.waitFor(/logged in as my-bot in Lobby/);
});
afterAll(async () => {
  await bot?.stop();
  await server?.stop();
});

it('runs the discord.js bot: !ping in #general gets a pong reply', async () => {
  const headers = { Authorization: 'quickstart-reader', 'Content-Type': 'application/json' };
  const messages = `${server.api}/channels/${GENERAL_TEXT_ID}/messages`;
  const ping = (await (
    await fetch(messages, { method: 'POST', headers, body: JSON.stringify({ content: '!ping' }) })
  ).json()) as { id: string };
  type Message = {
    content: string;
    author: { username: string; bot?: boolean };
    message_reference?: { message_id: string };
  };
  let pong: Message | undefined;
  // Bounded by the test timeout; polls the history as a client would.
  while (!pong) {
    const history = (await (await fetch(messages, { headers })).json()) as Message[];
    pong = history.find((m) => m.content === 'pong' && m.message_reference?.message_id === ping.id);
    if (!pong) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(pong.author).toMatchObject({ username: 'my-bot', bot: true });
});
