import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../src/GatewayServer.js';
import type { GatewayServerOptions } from '../src/GatewayServerOptions.js';
import { createGatewayMetrics } from '../src/metrics/index.js';
import { serializeMember, serializeMessage } from '../src/serialize/index.js';
import {
  ALL_NON_PRIVILEGED,
  connect,
  GUILD_A,
  GUILD_B,
  GUILD_MEMBERS,
  GUILD_PRESENCES,
  startServer,
  type TestClient,
} from './helpers.js';

let server: GatewayServer | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = undefined;
});

async function client(options: Partial<GatewayServerOptions> = {}): Promise<TestClient> {
  server ??= await startServer(options);
  const c = await connect(server);
  clients.push(c);
  return c;
}

describe('sharding', () => {
  it('gives each shard only its guilds and sends DMs to shard 0', async () => {
    const s0 = await client();
    const s1 = await client();
    const r0 = await s0.ready('1', { shard: [0, 2] });
    const r1 = await s1.ready('1', { shard: [1, 2] });
    expect(r0.d.shard).toEqual([0, 2]);
    expect(r0.d.guilds.map((g: { id: string }) => g.id)).toEqual([GUILD_A]);
    expect(r1.d.guilds.map((g: { id: string }) => g.id)).toEqual([GUILD_B]);
    server!.dispatchRaw('GUILD_UPDATE', { id: GUILD_B }, { type: 'guild', guildId: GUILD_B });
    expect((await s1.dispatch('GUILD_UPDATE')).d.id).toBe(GUILD_B);
    const dm = { id: '5', channel_id: '77', author: { id: '2', username: 'user2' }, content: 'dm', timestamp: 0 };
    server!.dispatchToUsers('1', 'MESSAGE_CREATE', serializeMessage(dm));
    expect((await s0.dispatch('MESSAGE_CREATE')).d.content).toBe('dm');
    const member = serializeMember({
      user: { id: '1', username: 'user1' },
      roles: [],
      joined_at: new Date(0).toISOString(),
    });
    server!.dispatchToUsers(
      '1',
      'GUILD_MEMBER_UPDATE',
      { ...member, avatar: null, banner: null, guild_id: GUILD_B },
      { guildId: GUILD_B, intent: null },
    );
    await s1.dispatch('GUILD_MEMBER_UPDATE');
    expect(s1.received.some((p) => p.t === 'MESSAGE_CREATE')).toBe(false);
    expect(s0.received.some((p) => p.t === 'GUILD_UPDATE' || p.t === 'GUILD_MEMBER_UPDATE')).toBe(false);
  });

  it('queues Identify per concurrency bucket instead of refusing', async () => {
    const interval = 300;
    server = await startServer({ identifyIntervalMs: interval, maxConcurrency: 2 });
    const cs = await Promise.all([0, 1, 2].map(() => client()));
    await Promise.all(cs.map((c) => c.next((p) => p.op === 10)));
    const started = Date.now();
    const times: number[] = [];
    for (const [i, c] of cs.entries()) c.identify('1', { shard: [i, 3] });
    await Promise.all(cs.map((c, i) => c.dispatch('READY').then(() => (times[i] = Date.now() - started))));
    // Shards 0 and 2 share bucket 0 (2 % 2): the second waits a whole interval; shard 1 does not wait for them.
    expect(Math.max(times[0]!, times[2]!)).toBeGreaterThanOrEqual(interval - 5);
    expect(cs.every((c) => c.received.some((p) => p.t === 'READY'))).toBe(true);
  });

  it('accounts session starts (exposed for GET /gateway/bot) and refuses past the limit with op 9', async () => {
    server = await startServer({ sessionStartLimit: { total: 2, resetAfterMs: 60_000 }, maxConcurrency: 4 });
    expect(server.getSessionStartLimit('1')).toMatchObject({ total: 2, remaining: 2, max_concurrency: 4 });
    const a = await client();
    const b = await client();
    const ready = await a.ready('1');
    await b.ready('1');
    const limit = server.getSessionStartLimit('1');
    expect(limit.remaining).toBe(0);
    expect(limit.reset_after).toBeGreaterThan(0);
    expect(limit.reset_after).toBeLessThanOrEqual(60_000);
    const c = await client();
    await c.next((p) => p.op === 10);
    c.identify('1');
    expect(await c.next((p) => p.op === 9)).toMatchObject({ d: false });
    // Resume does not count.
    a.ws.terminate();
    await a.closed;
    const r = await client();
    await r.next((p) => p.op === 10);
    r.send({ op: 6, d: { token: 'token-1', session_id: ready.d.session_id, seq: 3 } });
    await r.dispatch('RESUMED');
  });
});

describe('voice, members, lists', () => {
  it('answers Voice State Update with VOICE_STATE_UPDATE to the guild and VOICE_SERVER_UPDATE to the caller', async () => {
    const released: string[] = [];
    const c = await client({
      voiceAllocator: {
        allocate: ({ guildId, channelId }) => ({ endpoint: 'voice.example:443', token: `t-${guildId}-${channelId}` }),
        release: ({ userId }) => {
          released.push(userId);
        },
      },
    });
    const watcher = await client();
    await c.ready('2');
    await watcher.ready('3');
    c.send({ op: 4, d: { guild_id: GUILD_A, channel_id: `${GUILD_A}2`, self_mute: false, self_deaf: true } });
    const state = await watcher.dispatch('VOICE_STATE_UPDATE');
    expect(state.d).toMatchObject({ guild_id: GUILD_A, channel_id: `${GUILD_A}2`, user_id: '2', self_deaf: true });
    const vsu = await c.dispatch('VOICE_SERVER_UPDATE');
    expect(vsu.d).toEqual({ token: `t-${GUILD_A}-${GUILD_A}2`, guild_id: GUILD_A, endpoint: 'voice.example:443' });
    expect(state.d.session_id).toBe(c.received.find((p) => p.t === 'READY')!.d.session_id);
    // A later GUILD_CREATE carries the voice state.
    const late = await client();
    await late.ready('1');
    const g = await late.next((p) => p.t === 'GUILD_CREATE' && p.d.id === GUILD_A);
    expect(g.d.voice_states).toHaveLength(1);
    c.send({ op: 4, d: { guild_id: GUILD_A, channel_id: null, self_mute: false, self_deaf: false } });
    const left = await watcher.next((p) => p.t === 'VOICE_STATE_UPDATE' && p.d.channel_id === null);
    expect(left.d.user_id).toBe('2');
    await new Promise((r) => setTimeout(r, 20));
    expect(released).toEqual(['2']);
  });

  it('closes with 4002 on a malformed voice state', async () => {
    const c = await client();
    await c.ready('2');
    c.send({ op: 4, d: { guild_id: GUILD_A } });
    expect((await c.closed).code).toBe(4002);
  });

  it('answers Request Guild Members with GUILD_MEMBERS_CHUNK', async () => {
    const c = await client();
    await c.ready('1', { intents: ALL_NON_PRIVILEGED | GUILD_MEMBERS | GUILD_PRESENCES });
    c.send({ op: 8, d: { guild_id: GUILD_A, query: '', limit: 0, nonce: 'n1' } });
    const chunk = await c.dispatch('GUILD_MEMBERS_CHUNK');
    expect(chunk.d).toMatchObject({ guild_id: GUILD_A, chunk_index: 0, chunk_count: 1, nonce: 'n1' });
    expect(chunk.d.members.map((m: { user: { id: string } }) => m.user.id).sort()).toEqual(['1', '2', '3']);
    c.send({ op: 8, d: { guild_id: GUILD_A, user_ids: ['2', '99'], limit: 0 } });
    const byId = await c.dispatch('GUILD_MEMBERS_CHUNK');
    expect(byId.d.members.map((m: { user: { id: string } }) => m.user.id)).toEqual(['2']);
    expect(byId.d.not_found).toEqual(['99']);
    c.send({ op: 8, d: { guild_id: GUILD_A, query: '', limit: 0, nonce: 'n2' } });
    const limited = await c.dispatch('RATE_LIMITED');
    expect(limited.d).toMatchObject({ opcode: 8, meta: { guild_id: GUILD_A, nonce: 'n2' } });
  });

  it('answers op 14 with GUILD_MEMBER_LIST_UPDATE', async () => {
    const c = await client();
    await c.ready('1', { intents: ALL_NON_PRIVILEGED | GUILD_MEMBERS | GUILD_PRESENCES });
    c.send({ op: 14, d: { guild_id: GUILD_A, channels: { [`${GUILD_A}1`]: [[0, 99]] } } });
    const update = await c.dispatch('GUILD_MEMBER_LIST_UPDATE');
    expect(update.d.guild_id).toBe(GUILD_A);
  });

  it('reports to the metrics hooks and the logger', async () => {
    const metrics = createGatewayMetrics();
    const logs: string[] = [];
    const log = (m: string) => logs.push(m);
    const c = await client({ metrics, logger: { debug: log, info: log, warn: log, error: log } });
    await c.ready('1');
    server!.dispatchRaw(
      'TYPING_START',
      { channel_id: '1', guild_id: GUILD_A, user_id: '2' },
      { type: 'guild', guildId: GUILD_A },
      { intent: null },
    );
    await c.dispatch('TYPING_START');
    c.send({ op: 99 });
    await c.closed;
    await new Promise((r) => setTimeout(r, 20));
    const text = await metrics.render();
    expect(text).toMatch(/concord_gateway_\w*identif\w*\{[^}]*ok[^}]*\} 1/);
    expect(text).toMatch(/4001/);
    expect(logs).toContain('identified');
  });
});
