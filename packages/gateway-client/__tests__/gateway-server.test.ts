import { createGatewayServer, type GatewayServer, InMemoryDirectory } from '@concord/gateway-server';
import { serializeMessage } from '@concord/gateway-server/serialize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type DispatchPayload, GatewayConnection, type SessionInfo, ShardManager } from '../src/index.js';
import { delay, once } from './helpers/FakeGateway.js';

const bot = { id: '100', username: 'bot', bot: true };
const members = Array.from({ length: 30 }, (_, i) => ({
  user: { id: String(1000 + i), username: `user${i}` },
  roles: [],
  joined_at: new Date(0).toISOString(),
}));
// Two guilds that land on different shards of 2: (id >> 22) % 2.
const guildA = String(1n << 22n); // shard 1
const guildB = String(2n << 22n); // shard 0

let server: GatewayServer;
let url: string;

function guild(id: string) {
  return {
    id,
    name: `g${id}`,
    owner_id: bot.id,
    channels: [{ id: `${id}1`.slice(0, 18), type: 0, name: 'general' }],
    roles: [{ id, name: '@everyone', permissions: '3072', position: 0 }],
    members: [{ user: bot, roles: [], joined_at: new Date(0).toISOString() }, ...members],
  };
}

beforeAll(async () => {
  const directory = new InMemoryDirectory().addGuild(guild(guildA) as never).addGuild(guild(guildB) as never);
  server = await createGatewayServer({
    port: 0,
    host: '127.0.0.1',
    directory,
    heartbeatInterval: 5000,
    identifyIntervalMs: 50,
    maxConcurrency: 2,
    authenticate: (token) => (token === 'secret' ? { user: bot } : null),
  });
  url = `ws://127.0.0.1:${server.address().port}`;
});
afterAll(async () => {
  await server?.close();
});

function message(guildId: string, id: string, content: string) {
  return serializeMessage({
    id,
    channel_id: `${guildId}1`.slice(0, 18),
    guild_id: guildId,
    author: bot,
    content,
    timestamp: 0,
  });
}

describe('against @concord/gateway-server', () => {
  // zstd-stream too, on every supported Node: node:zlib's zstd where it has one, zstd-napi elsewhere (issue #13).
  for (const [encoding, compression] of [
    ['json', 'zlib-stream'],
    ['etf', 'zlib-stream'],
    ['msgpack', 'zlib-stream'],
    ['json', 'zstd-stream'],
    ['etf', 'zstd-stream'],
  ] as const) {
    it(`identify → READY → GUILD_CREATE → MESSAGE_CREATE (${encoding}, ${compression})`, async () => {
      const client = new GatewayConnection({
        token: 'Bot secret',
        intents: (1 << 0) | (1 << 9) | (1 << 15),
        url,
        encoding,
        compression,
      });
      const seen: DispatchPayload[] = [];
      client.on('dispatch', (p) => seen.push(p));
      const guildCreates = new Promise<void>((resolve) => {
        let n = 0;
        client.on('GUILD_CREATE', () => {
          if (++n === 2) resolve();
        });
      });
      await client.connect();
      await guildCreates;
      const got = once<[{ content: string; id: string }]>(client, 'MESSAGE_CREATE');
      server.dispatchToChannel(
        guildA,
        `${guildA}1`.slice(0, 18),
        'MESSAGE_CREATE',
        message(guildA, '123456789012345678', 'hello'),
      );
      const [d] = await got;
      expect(d.content).toBe('hello');
      expect(String(d.id)).toBe('123456789012345678');
      expect(seen.map((p) => p.t)).toEqual(['READY', 'GUILD_CREATE', 'GUILD_CREATE', 'MESSAGE_CREATE']);
      expect(seen.map((p) => p.s)).toEqual([1, 2, 3, 4]);
      client.destroy();
    });
  }

  it('payload compression (compress: true, JSON): large payloads arrive zlib-compressed and are inflated', async () => {
    const client = new GatewayConnection({
      token: 'secret',
      intents: 1 | (1 << 9) | (1 << 15),
      url,
      compression: 'payload',
    });
    await client.connect();
    const got = once<[{ content: string }]>(client, 'MESSAGE_CREATE');
    const content = 'z'.repeat(3000); // above the server's 1024-byte threshold
    server.dispatchToChannel(guildA, `${guildA}1`.slice(0, 18), 'MESSAGE_CREATE', message(guildA, '9', content));
    expect((await got)[0].content).toBe(content);
    client.destroy();
  });

  it('resumes after the TCP connection is cut, with the missed dispatches replayed once, in order', async () => {
    const sockets: WebSocket[] = [];
    class TrackedWebSocket extends WebSocket {
      constructor(address: string) {
        super(address);
        sockets.push(this);
      }
    }
    const client = new GatewayConnection({
      token: 'secret',
      intents: (1 << 0) | (1 << 9) | (1 << 15),
      url,
      WebSocket: TrackedWebSocket as never,
    });
    const contents: string[] = [];
    client.on('MESSAGE_CREATE', (d) => contents.push((d as { content: string }).content));
    await client.connect();
    const channel = `${guildA}1`.slice(0, 18);
    server.dispatchToChannel(guildA, channel, 'MESSAGE_CREATE', message(guildA, '1', 'before'));
    await delay(50);
    // Cut the client's TCP socket (no close frame): the server keeps the session, the client resumes.
    const closed = once(client, 'closed');
    (sockets[0] as unknown as { _socket: { destroy(): void } })._socket.destroy();
    await closed;
    for (const content of ['missed-1', 'missed-2', 'missed-3']) {
      server.dispatchToChannel(guildA, channel, 'MESSAGE_CREATE', message(guildA, '2', content));
    }
    await once(client, 'resumed');
    server.dispatchToChannel(guildA, channel, 'MESSAGE_CREATE', message(guildA, '3', 'after'));
    await once(client, 'MESSAGE_CREATE');
    expect(contents).toEqual(['before', 'missed-1', 'missed-2', 'missed-3', 'after']);
    client.destroy();
  });

  it('requestGuildMembers gets every member, chunked, in one promise', async () => {
    const client = new GatewayConnection({ token: 'secret', intents: 3, url });
    await client.connect();
    const result = await client.requestGuildMembers<{ user: { id: string } }>({
      guild_id: guildA,
      query: 'user',
      limit: 100,
    });
    expect(result.members.map((m) => m.user.id).sort()).toEqual(members.map((m) => m.user.id).sort());
    const byIds = await client.requestGuildMembers({ guild_id: guildA, user_ids: ['1000', '999'] });
    expect(byIds.members.length).toBe(1);
    expect(byIds.notFound).toEqual(['999']);
    client.destroy();
  });

  it('ShardManager: two shards, each gets its own guild; sessions persisted and resumed by a new manager', async () => {
    const store = new Map<number, SessionInfo | null>();
    const sessionStore = {
      get: (id: number) => store.get(id),
      set: (id: number, s: SessionInfo | null) => void store.set(id, s),
    };
    const manager = new ShardManager({
      token: 'secret',
      intents: 1,
      url,
      shardCount: 2,
      identifyIntervalMs: 50,
      sessionStore,
    });
    const guildsByShard = new Map<number, string[]>();
    manager.on('GUILD_CREATE', (d, shardId) => {
      guildsByShard.set(shardId as number, [...(guildsByShard.get(shardId as number) ?? []), (d as { id: string }).id]);
    });
    await manager.connect();
    await delay(50);
    expect(guildsByShard.get(0)).toEqual([guildB]);
    expect(guildsByShard.get(1)).toEqual([guildA]);
    expect(manager.statuses().map((s) => s.status)).toEqual(['ready', 'ready']);
    expect(manager.shardOf(guildA)).toBe(1);
    await manager.destroy({ keepSessions: true });
    expect(store.get(0)?.sessionId).toBeTypeOf('string');
    expect(store.get(1)?.sessionId).toBeTypeOf('string');

    const next = new ShardManager({
      token: 'secret',
      intents: 1,
      url,
      shardCount: 2,
      identifyIntervalMs: 50,
      sessionStore,
    });
    const events: string[] = [];
    next.on('dispatch', (p, shardId) => events.push(`${shardId}:${p.t}`));
    await next.connect();
    expect(events.sort()).toEqual(['0:RESUMED', '1:RESUMED']);
    await next.destroy();
    expect(store.get(0)).toBeNull();
  });
});
