// A joining session's VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE: allocated first, then the voice server right after
// the session's own state in one socket write, on one node, when the state comes back through a bus, and with a resume
// journal (discord.py's connect flow loses its wake-up when the second event is read a few hundred µs after the first:
// docs/COMPATIBILITY.md (§§)); nothing announced for a join a later op 4 replaced.
import { connect as netConnect, type Socket } from 'node:net';
import { requireService } from '@concord/test-services';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { type Broker, type BrokerMessage, InMemoryBroker } from '../src/Broker.js';
import { createNatsBroker } from '../src/brokers/createNatsBroker.js';
import { createRedisBroker } from '../src/brokers/createRedisBroker.js';
import { InMemoryDirectory } from '../src/Directory.js';
import type { GatewayServer } from '../src/GatewayServer.js';
import type { VoiceAllocator } from '../src/ports/VoiceAllocator.js';
import { Connection } from '../src/transport/Connection.js';
import { startRedisCluster } from './fixtures/redisCluster.js';
import { delay, GUILD_A, GUILD_B, guild, type Payload, startServer, TestClient } from './helpers.js';

const VOICE = `${GUILD_A}2`;
const OTHER_VOICE = `${GUILD_A}3`;
const VOICE_B = `${GUILD_B}2`;

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
    guild(GUILD_B, ['1'], {
      channels: [
        { id: `${GUILD_B}1`, type: 0, name: 'general' },
        { id: VOICE_B, type: 2, name: 'voice' },
      ],
    }),
  );
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

/** Identifies user 1 over a socket whose TCP reads are kept, joins VOICE, and returns the reads and payloads. */
async function joinReads(intents = 1 | (1 << 7)): Promise<{ voiceReads: string[]; payloads: Payload[] }> {
  const reads: string[] = [];
  const url = new URL(server!.url);
  const ws = new WebSocket(`${server!.url}/?v=10&encoding=json`, {
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
    for (let i = 0; i < 300 && !payloads.some((p) => p.t === t); i++) await delay(10);
    expect(
      payloads.some((p) => p.t === t),
      t,
    ).toBe(true);
  };
  ws.send(JSON.stringify({ op: 2, d: { token: 'Bot token-1', properties: {}, intents } }));
  await until('READY');
  await delay(50);
  const before = reads.length;
  ws.send(JSON.stringify(join(VOICE)));
  await until('VOICE_SERVER_UPDATE');
  await delay(20);
  ws.terminate();
  return { voiceReads: reads.slice(before).filter((r) => r.includes('"t":"VOICE_')), payloads };
}

/** The in-process broker delivering a few ms late, as a bus does (the node's own copy comes back a round trip later). */
class LateBroker extends InMemoryBroker {
  override publish(topic: string, message: BrokerMessage): void {
    setTimeout(() => super.publish(topic, message), 5);
  }
}

const redisUp = await requireService({
  name: 'redis',
  host: '127.0.0.1',
  port: 6379,
  howToStart: 'bash .ci/services/redis.sh start',
});
const natsUp = await requireService({
  name: 'nats',
  host: '127.0.0.1',
  port: 4222,
  howToStart: 'bash .ci/services/nats.sh start',
});
let brokerRun = 0;
const brokerPrefix = () => `voicejoin${process.pid}n${brokerRun++}`;

describe('voice join: VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE', () => {
  it('reach the joining client in one socket read, even when the allocator takes its time', async () => {
    server = await startServer({ voiceAllocator: slowAllocator(20), directory: voiceDirectory() });
    const { voiceReads, payloads } = await joinReads();
    expect(voiceReads).toHaveLength(1);
    expect(voiceReads[0]).toContain('"t":"VOICE_STATE_UPDATE"');
    expect(voiceReads[0]).toContain('"t":"VOICE_SERVER_UPDATE"');
    // In that order, numbered one after the other.
    const [state, voiceServer] = payloads.filter((p) => p.t?.startsWith('VOICE_'));
    expect([state!.t, voiceServer!.t]).toEqual(['VOICE_STATE_UPDATE', 'VOICE_SERVER_UPDATE']);
    expect(voiceServer!.s).toBe(state!.s! + 1);
  });

  it('reach it in one read when the state comes back through a bus later (a cluster)', async () => {
    server = await startServer({
      voiceAllocator: slowAllocator(1),
      directory: voiceDirectory(),
      broker: new LateBroker(),
    });
    const { voiceReads, payloads } = await joinReads();
    expect(voiceReads).toHaveLength(1);
    const events = payloads.filter((p) => p.t?.startsWith('VOICE_')).map((p) => p.t);
    expect(events).toEqual(['VOICE_STATE_UPDATE', 'VOICE_SERVER_UPDATE']);
  });

  // A real bus: the node delivers its own copy of the guild's VOICE_STATE_UPDATE when the bus brings it back.
  for (const [name, up, make] of [
    [
      'Redis',
      redisUp,
      () =>
        createRedisBroker({
          redis: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 },
          prefix: brokerPrefix(),
        }),
    ],
    ['NATS', natsUp, () => createNatsBroker({ nats: { servers: '127.0.0.1:4222' }, prefix: brokerPrefix() })],
  ] as const) {
    it.skipIf(!up)(`reach it in one read over ${name}`, async () => {
      const broker: Broker = await make();
      try {
        server = await startServer({ voiceAllocator: slowAllocator(1), directory: voiceDirectory(), broker });
        const { voiceReads, payloads } = await joinReads();
        expect(voiceReads).toHaveLength(1);
        const events = payloads.filter((p) => p.t?.startsWith('VOICE_')).map((p) => p.t);
        expect(events).toEqual(['VOICE_STATE_UPDATE', 'VOICE_SERVER_UPDATE']);
      } finally {
        await server?.close();
        server = null;
        await broker.close?.();
      }
    });
  }

  // With a resume journal a dispatch is written once the store has committed it: the voice server, sent when the state
  // was written, went a commit later in a write of its own.
  it.skipIf(!redisUp)('reach it in one read with a resume journal (Redis broker and resume store)', async () => {
    const cluster = await startRedisCluster(`${brokerPrefix()}:`, 1);
    // Each commit 5 ms late (a store further away): two commits apart are two reads apart.
    const store = cluster.stores[0]!;
    const commit = store.commit.bind(store);
    store.commit = async (...args) => {
      await delay(5);
      return commit(...args);
    };
    try {
      server = await startServer({
        voiceAllocator: slowAllocator(1),
        directory: voiceDirectory(),
        broker: cluster.brokers[0]!,
        resumeStore: store,
      });
      const { voiceReads, payloads } = await joinReads();
      expect(voiceReads).toHaveLength(1);
      const [state, voiceServer] = payloads.filter((p) => p.t?.startsWith('VOICE_'));
      expect([state!.t, voiceServer!.t]).toEqual(['VOICE_STATE_UPDATE', 'VOICE_SERVER_UPDATE']);
      expect(voiceServer!.s).toBe(state!.s! + 1);
    } finally {
      await server?.close();
      server = null;
      await cluster.close();
    }
  });

  it('without GUILD_VOICE_STATES (no state of its own to follow) the voice server is sent at once', async () => {
    server = await startServer({
      voiceAllocator: slowAllocator(1),
      directory: voiceDirectory(),
      broker: new LateBroker(),
    });
    const follow = vi.spyOn(Connection.prototype, 'followNext');
    const { payloads } = await joinReads(1);
    expect(payloads.filter((p) => p.t?.startsWith('VOICE_')).map((p) => p.t)).toEqual(['VOICE_SERVER_UPDATE']);
    // Not held for a VOICE_STATE_UPDATE that never comes (the 2 s bound of a lost one).
    expect(follow).not.toHaveBeenCalled();
    follow.mockRestore();
  });

  it('a session joining voice in two guilds at once gets each voice server right after its own state', async () => {
    server = await startServer({
      voiceAllocator: slowAllocator(1),
      directory: voiceDirectory(),
      broker: new LateBroker(),
    });
    const joiner = new TestClient(server.url);
    clients.push(joiner);
    await joiner.opened;
    await joiner.ready('1');
    joiner.send(join(VOICE));
    joiner.send({ op: 4, d: { guild_id: GUILD_B, channel_id: VOICE_B, self_mute: false, self_deaf: false } });
    await joiner.next((p) => p.t === 'VOICE_SERVER_UPDATE' && p.d.guild_id === GUILD_A);
    await joiner.next((p) => p.t === 'VOICE_SERVER_UPDATE' && p.d.guild_id === GUILD_B);
    const voice = joiner.received.filter((p) => p.t?.startsWith('VOICE_'));
    for (const guildId of [GUILD_A, GUILD_B]) {
      const state = voice.find((p) => p.t === 'VOICE_STATE_UPDATE' && p.d.guild_id === guildId)!;
      const voiceServer = voice.find((p) => p.t === 'VOICE_SERVER_UPDATE' && p.d.guild_id === guildId)!;
      // Right after it (not the 2 s bound of a state that never came).
      expect(voiceServer.s, guildId).toBe(state.s! + 1);
    }
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
