import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../chat-server/__tests__/startServer.js';

const GENERAL = '1200000000000000001';
const root = fileURLToPath(new URL('..', import.meta.url));

describe.each([['bot.js'], ['discordjs-bot.js']])('the example bot %s', (file) => {
  let server: RunningServer;
  let bot: ChildProcess;
  let botOutput = '';

  beforeAll(async () => {
    server = await startServer();
    bot = spawn(process.execPath, [file], {
      cwd: root,
      env: { ...process.env, CONCORD_API: `${server.url}/api`, BOT_TOKEN: 'example-bot' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    bot.stdout!.on('data', (c) => {
      botOutput += c;
    });
    bot.stderr!.on('data', (c) => {
      botOutput += c;
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bot did not log in:\n${botOutput}`)), 20_000);
      bot.stdout!.on('data', () => {
        if (botOutput.includes('logged in as example-bot in Lobby')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  });
  afterAll(async () => {
    if (bot && bot.exitCode === null) {
      await new Promise((resolve) => {
        bot.once('exit', resolve);
        bot.kill('SIGTERM');
      });
    }
    await server?.stop();
  });

  it('answers !ping with a reply and !echo with a message', async () => {
    const headers = { Authorization: 'human', 'Content-Type': 'application/json' };
    const post = async (content: string) => {
      const res = await fetch(`${server.api}/channels/${GENERAL}/messages`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ content }),
      });
      return (await res.json()) as { id: string };
    };
    const ping = await post('!ping');
    await post('!echo hello there');
    let history: { content: string; author: { bot: boolean }; message_reference?: { message_id: string } }[] = [];
    for (let i = 0; i < 100; i++) {
      history = (await (
        await fetch(`${server.api}/channels/${GENERAL}/messages`, { headers })
      ).json()) as typeof history;
      if (history.filter((m) => m.author.bot).length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const fromBot = history.filter((m) => m.author.bot);
    expect(fromBot.find((m) => m.content === 'pong')?.message_reference?.message_id).toBe(ping.id);
    expect(fromBot.some((m) => m.content === 'hello there')).toBe(true);
  });

  // Only our gateway-client bot implements !members (the discord.js one is the plain ecosystem example).
  if (file === 'bot.js')
    it('answers !members with the guild member list (op 8 → GUILD_MEMBERS_CHUNK)', async () => {
      const headers = { Authorization: 'human', 'Content-Type': 'application/json' };
      const res = await fetch(`${server.api}/channels/${GENERAL}/messages`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ content: '!members' }),
      });
      const asked = (await res.json()) as { id: string };
      let answer: { content: string; message_reference?: { message_id: string } } | undefined;
      for (let i = 0; i < 100 && !answer; i++) {
        const page = (await (await fetch(`${server.api}/channels/${GENERAL}/messages`, { headers })).json()) as {
          content: string;
          author: { bot: boolean };
          message_reference?: { message_id: string };
        }[];
        answer = page.find((m) => m.author.bot && m.message_reference?.message_id === asked.id);
        if (!answer) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(answer?.content).toMatch(/^\d+ members: /);
      expect(answer?.content).toContain('example-bot');
      expect(answer?.content).toContain('human');
    });
});
