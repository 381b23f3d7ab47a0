// A joining session's VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE: allocated first, announced together in one socket
// write (discord.py's connect flow loses its wake-up when the second event is read a few hundred µs after the first:
// docs/COMPATIBILITY.md (§§)), and nothing announced for a join a later op 4 replaced.
import { connect as netConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { InMemoryDirectory } from '../src/Directory.js';
import type { GatewayServer } from '../src/GatewayServer.js';
import type { VoiceAllocator } from '../src/ports/VoiceAllocator.js';
import { delay, GUILD_A, guild, type Payload, startServer, TestClient } from './helpers.js';

const VOICE = `${GUILD_A}2`;
const OTHER_VOICE = `${GUILD_A}3`;

/** An allocator that answers after `ms` (a voice node asked over the network). */
function slowAllocator(ms: number): VoiceAllocator {
  return {
    allocate: async ({ channelId, userId }) => {
      await delay(ms);
      return { endpoint: 'voice.test:443', token: `${channelId}-${userId}` };
    },
  };
}

function voiceDirectory(): InMemoryDirectory {
  const directory = new InMemoryDirectory();
  directory.addGuild(
    guild(GUILD_A, ['1', '2'], {
      channels: [
        { id: `${GUILD_A}1`, type: 0, name: 'general' },
        { id: VOICE, type: 2, name: 'voice' },
        { id: OTHER_VOICE, type: 2, name: 'other voice' },
      ],
    }),
  );
  return directory;
}

let server: GatewayServer | null = null;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = null;
});

const join = (channelId: string | null) => ({
  op: 4,
  d: { guild_id: GUILD_A, channel_id: channelId, self_mute: false, self_deaf: false },
});

describe('voice join: VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE', () => {
  it('reach the joining client in one socket read, even when the allocator takes its time', async () => {
    server = await startServer({ voiceAllocator: slowAllocator(20), directory: voiceDirectory() });
    const reads: string[] = [];
    const url = new URL(server.url);
    const ws = new WebSocket(`${server.url}/?v=10&encoding=json`, {
      createConnection: () => {
        const socket: Socket = netConnect(Number(url.port), url.hostname);
        socket.on('data', (chunk: Buffer) => reads.push(chunk.toString('latin1')));
        return socket;
      },
    });
    const payloads: Payload[] = [];
    ws.on('message', (data: Buffer) => payloads.push(JSON.parse(data.toString('utf8')) as Payload));
    await new Promise((resolve) => ws.once('open', resolve));
    const until = async (t: string) => {
      for (let i = 0; i < 200 && !payloads.some((p) => p.t === t); i++) await delay(10);
      expect(
        payloads.some((p) => p.t === t),
        t,
      ).toBe(true);
    };
    ws.send(JSON.stringify({ op: 2, d: { token: 'Bot token-1', properties: {}, intents: 1 << 7 } }));
    await until('READY');
    await delay(50);
    const before = reads.length;
    ws.send(JSON.stringify(join(VOICE)));
    await until('VOICE_SERVER_UPDATE');
    const voiceReads = reads.slice(before).filter((r) => r.includes('"t":"VOICE_'));
    expect(voiceReads).toHaveLength(1);
    expect(voiceReads[0]).toContain('"t":"VOICE_STATE_UPDATE"');
    expect(voiceReads[0]).toContain('"t":"VOICE_SERVER_UPDATE"');
    // In that order, numbered one after the other.
    const [state, voiceServer] = payloads.filter((p) => p.t?.startsWith('VOICE_'));
    expect([state!.t, voiceServer!.t]).toEqual(['VOICE_STATE_UPDATE', 'VOICE_SERVER_UPDATE']);
    expect(voiceServer!.s).toBe(state!.s! + 1);
    ws.terminate();
  });

  it('announces nothing for a join a later op 4 replaced while allocating; the later one is announced', async () => {
    server = await startServer({ voiceAllocator: slowAllocator(30), directory: voiceDirectory() });
    const watcher = new TestClient(server.url);
    const joiner = new TestClient(server.url);
    clients.push(watcher, joiner);
    await Promise.all([watcher.opened, joiner.opened]);
    await watcher.ready('2');
    await joiner.ready('1');
    joiner.send(join(VOICE));
    await delay(5);
    joiner.send(join(OTHER_VOICE));
    const server1 = await joiner.dispatch('VOICE_SERVER_UPDATE');
    expect(server1.d.token).toBe(`${OTHER_VOICE}-1`);
    await delay(80);
    const states = (c: TestClient) =>
      c.received.filter((p) => p.t === 'VOICE_STATE_UPDATE').map((p) => p.d.channel_id as string | null);
    expect(states(joiner)).toEqual([OTHER_VOICE]);
    expect(states(watcher)).toEqual([OTHER_VOICE]);
    expect(joiner.received.filter((p) => p.t === 'VOICE_SERVER_UPDATE')).toHaveLength(1);
  });

  it('a leave while allocating: the guild hears the leave, the joiner gets no voice server', async () => {
    server = await startServer({ voiceAllocator: slowAllocator(30), directory: voiceDirectory() });
    const joiner = new TestClient(server.url);
    clients.push(joiner);
    await joiner.opened;
    await joiner.ready('1');
    joiner.send(join(VOICE));
    await delay(5);
    joiner.send(join(null));
    await delay(100);
    expect(joiner.received.filter((p) => p.t === 'VOICE_SERVER_UPDATE')).toHaveLength(0);
    const states = joiner.received.filter((p) => p.t === 'VOICE_STATE_UPDATE').map((p) => p.d.channel_id);
    expect(states).toEqual([null]);
  });
});
