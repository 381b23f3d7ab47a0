import { expect } from 'vitest';
import type { RunningServer } from '../../examples/chat-server/__tests__/startServer.js';
import { GENERAL_TEXT_ID } from '../../examples/chat-server/src/createChatServer.js';
import type { BotRun } from './runBot.js';

interface StoredMessage {
  id: string;
  type: number;
  content: string;
  author: { id: string; username: string };
  message_reference?: { message_id: string };
}

/**
 * What every text bot must have done, checked from both sides: the library's own events (READY and GUILD_CREATE parsed
 * into its models, its message event fired for its own "ping-<lib>", its REST reply returned) and the server's record
 * (both messages stored, the reply a type-19 reply to the ping, authored by the bot).
 */
export async function expectRoundTrip(server: RunningServer, lib: string, run: BotRun): Promise<void> {
  const context = `${run.headline()}\n\nbot output:\n${run.output}\n\nserver output (tail):\n${server.output().slice(-4000)}`;
  expect(run.timedOut, `${lib} timed out\n${context}`).toBe(false);
  expect(run.find('error')?.data, context).toBeUndefined();

  const ready = run.find('ready');
  expect(ready, `no ready event\n${context}`).toBeDefined();
  expect(ready!.data.username).toBe(`interop-${lib.replace(/[^a-z0-9]/gi, '')}`);
  expect(ready!.data.bot).toBe(true);

  const guild = run.find('guild');
  expect(guild, `no guild event\n${context}`).toBeDefined();
  expect(guild!.data.name).toBe('Lobby');
  expect(guild!.data.channels).toEqual(expect.arrayContaining(['general', 'General']));

  const sent = run.find('sent');
  expect(sent, `ping not sent\n${context}`).toBeDefined();
  expect(sent!.data.content).toBe(`ping-${lib}`);
  const seen = run.find('message');
  expect(seen, `message event did not fire\n${context}`).toBeDefined();
  expect(seen!.data.id).toBe(sent!.data.id);
  expect(seen!.data.content).toBe(`ping-${lib}`);
  const replied = run.find('replied');
  expect(replied, `reply not sent\n${context}`).toBeDefined();
  expect(replied!.data.reference).toBe(sent!.data.id);
  expect(run.code, context).toBe(0);

  const res = await fetch(`${server.api}/channels/${GENERAL_TEXT_ID}/messages?limit=10`, {
    headers: { Authorization: 'interop-observer' },
  });
  expect(res.status).toBe(200);
  const history = (await res.json()) as StoredMessage[];
  const ping = history.find((m) => m.id === sent!.data.id);
  const pong = history.find((m) => m.id === replied!.data.id);
  expect(ping?.content).toBe(`ping-${lib}`);
  expect(pong?.content).toBe(`pong-${lib}`);
  expect(pong?.type).toBe(19);
  expect(pong?.message_reference?.message_id).toBe(ping?.id);
  expect(pong?.author.id).toBe(ping?.author.id);
  expect(String(ready!.data.id)).toBe(ping?.author.id);
}
