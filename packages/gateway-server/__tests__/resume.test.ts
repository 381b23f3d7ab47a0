import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../src/GatewayServer.js';
import type { GatewayServerOptions } from '../src/GatewayServerOptions.js';
import { connect, delay, GUILD_A, type Payload, startServer, type TestClient } from './helpers.js';

let server: GatewayServer | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = undefined;
});

async function client(): Promise<TestClient> {
  const c = await connect(server!);
  clients.push(c);
  await c.next((p) => p.op === 10);
  return c;
}

async function start(options: Partial<GatewayServerOptions> = {}): Promise<GatewayServer> {
  server = await startServer(options);
  return server;
}

const msg = (n: number) => ({
  id: String(n),
  channel_id: `${GUILD_A}1`,
  guild_id: GUILD_A,
  author: { id: '3' },
  content: `m${n}`,
  mentions: [],
});

/** Identifies user 1 and drains READY + both GUILD_CREATEs; returns the session id. */
async function identified(c: TestClient): Promise<string> {
  c.identify('1');
  const ready = await c.dispatch('READY');
  await c.next((p) => p.s === 3);
  return ready.d.session_id;
}

async function dropped(c: TestClient): Promise<void> {
  c.ws.terminate();
  await c.closed;
  await delay(20);
}

describe('resume', () => {
  it('replays every missed dispatch in order with its original s, then RESUMED', async () => {
    await start();
    const c = await client();
    const sessionId = await identified(c);
    server!.dispatchRaw('MESSAGE_CREATE', msg(1), { type: 'guild', guildId: GUILD_A });
    expect((await c.dispatch('MESSAGE_CREATE')).s).toBe(4);
    await dropped(c);
    for (let n = 2; n <= 6; n++) server!.dispatchRaw('MESSAGE_CREATE', msg(n), { type: 'guild', guildId: GUILD_A });

    const r = await client();
    r.send({ op: 6, d: { token: 'Bot token-1', session_id: sessionId, seq: 4 } });
    const resumed = await r.dispatch('RESUMED');
    const replayed = r.received.filter((p) => p.t === 'MESSAGE_CREATE');
    expect(replayed.map((p) => [p.s, p.d.id])).toEqual([
      [5, '2'],
      [6, '3'],
      [7, '4'],
      [8, '5'],
      [9, '6'],
    ]);
    expect(resumed.s).toBe(10);
    server!.dispatchRaw('MESSAGE_CREATE', msg(7), { type: 'guild', guildId: GUILD_A });
    const after = await r.next((p) => p.t === 'MESSAGE_CREATE' && p.d.id === '7');
    expect(after.s).toBe(11);
  });

  it('replays what the client had not seen when it resumes with an older seq (nothing lost, nothing twice)', async () => {
    await start();
    const c = await client();
    const sessionId = await identified(c);
    for (let n = 1; n <= 3; n++) server!.dispatchRaw('MESSAGE_CREATE', msg(n), { type: 'guild', guildId: GUILD_A });
    await c.next((p) => p.s === 6);
    await dropped(c);
    const r = await client();
    r.send({ op: 6, d: { token: 'token-1', session_id: sessionId, seq: 4 } });
    await r.dispatch('RESUMED');
    const seqs = r.received.filter((p) => p.op === 0).map((p: Payload) => p.s);
    expect(seqs).toEqual([5, 6, 7]);
  });

  it('a heartbeat acknowledges what the client has: a resume from that seq replays the rest, one from before is op 9', async () => {
    await start();
    const [x, y] = [await client(), await client()];
    const [sx, sy] = [await identified(x), await identified(y)];
    for (let n = 1; n <= 4; n++) server!.dispatchRaw('MESSAGE_CREATE', msg(n), { type: 'guild', guildId: GUILD_A });
    for (const c of [x, y]) {
      await c.next((p) => p.s === 7);
      c.send({ op: 1, d: 5 });
      await c.next((p) => p.op === 11);
      await dropped(c);
    }
    server!.dispatchRaw('MESSAGE_CREATE', msg(5), { type: 'guild', guildId: GUILD_A });

    const rx = await client();
    rx.send({ op: 6, d: { token: 'token-1', session_id: sx, seq: 5 } });
    await rx.dispatch('RESUMED');
    expect(rx.received.filter((p) => p.op === 0).map((p: Payload) => p.s)).toEqual([6, 7, 8, 9]);
    // 4 and 5 were acknowledged and forgotten: a resume that needs them cannot be served.
    const ry = await client();
    ry.send({ op: 6, d: { token: 'token-1', session_id: sy, seq: 4 } });
    expect((await ry.next((p) => p.op === 9)).d).toBe(false);
  });

  it('a resume over a live (zombie) connection takes the session over', async () => {
    await start();
    const c = await client();
    const sessionId = await identified(c);
    const r = await client();
    r.send({ op: 6, d: { token: 'token-1', session_id: sessionId, seq: 3 } });
    await r.dispatch('RESUMED');
    expect((await c.closed).code).toBe(4000);
    server!.dispatchRaw('MESSAGE_CREATE', msg(1), { type: 'guild', guildId: GUILD_A });
    expect((await r.dispatch('MESSAGE_CREATE')).s).toBe(5);
  });

  it('op 9 d:false after the resume TTL', async () => {
    await start({ resumeTtl: 50 });
    const c = await client();
    const sessionId = await identified(c);
    await dropped(c);
    await delay(300);
    const r = await client();
    r.send({ op: 6, d: { token: 'token-1', session_id: sessionId, seq: 3 } });
    expect(await r.next((p) => p.op === 9)).toMatchObject({ op: 9, d: false });
    // The connection stays usable for a fresh Identify.
    r.identify('1');
    await r.dispatch('READY');
  });

  it('op 9 d:false when the replay buffer no longer holds what was missed', async () => {
    await start({ replayBufferSize: 4 });
    const c = await client();
    const sessionId = await identified(c);
    await dropped(c);
    for (let n = 1; n <= 5; n++) server!.dispatchRaw('MESSAGE_CREATE', msg(n), { type: 'guild', guildId: GUILD_A });
    const r = await client();
    r.send({ op: 6, d: { token: 'token-1', session_id: sessionId, seq: 3 } });
    expect((await r.next((p) => p.op === 9)).d).toBe(false);
  });

  it('op 9 d:false after the client closed with 1000 (session ended), for another user, or an unknown id', async () => {
    await start();
    const c = await client();
    const sessionId = await identified(c);
    const other = await client();
    other.send({ op: 6, d: { token: 'token-2', session_id: sessionId, seq: 3 } });
    expect((await other.next((p) => p.op === 9)).d).toBe(false);
    await c.close(1000);
    await delay(20);
    for (const id of [sessionId, 'nope']) {
      const r = await client();
      r.send({ op: 6, d: { token: 'token-1', session_id: id, seq: 3 } });
      expect((await r.next((p) => p.op === 9)).d).toBe(false);
    }
  });

  it('4007 for a seq ahead of the session', async () => {
    await start();
    const c = await client();
    const sessionId = await identified(c);
    await dropped(c);
    const r = await client();
    r.send({ op: 6, d: { token: 'token-1', session_id: sessionId, seq: 99 } });
    expect((await r.closed).code).toBe(4007);
  });

  it('keeps the session across a server close with a resumable code (4008) and resumes after it', async () => {
    await start({ rateLimit: { commands: 3, windowMs: 60_000 } });
    const c = await client();
    const sessionId = await identified(c);
    for (let i = 0; i < 3; i++) c.send({ op: 1, d: null });
    expect((await c.closed).code).toBe(4008);
    const r = await client();
    r.send({ op: 6, d: { token: 'token-1', session_id: sessionId, seq: 3 } });
    await r.dispatch('RESUMED');
  });

  it('op 7 asks clients to reconnect; op 9 invalidates a session', async () => {
    await start();
    const c = await client();
    const sessionId = await identified(c);
    server!.reconnect(sessionId);
    expect(await c.next((p) => p.op === 7)).toMatchObject({ op: 7, d: null });
    server!.invalidateSession(sessionId, false);
    expect(await c.next((p) => p.op === 9)).toMatchObject({ op: 9, d: false });
    expect(server!.sessionCount).toBe(0);
  });

  it('closes a connection whose send buffer passes the bound, resumably, without losing dispatches', async () => {
    let tripped = 0;
    const noop = () => undefined;
    await start({
      maxBufferedBytes: 64 * 1024,
      metrics: {
        connectionOpened: noop,
        connectionClosed: noop,
        identify: noop,
        resume: noop,
        dispatch: noop,
        bytesSent: noop,
        bytesReceived: noop,
        fanoutLatency: noop,
        sessions: noop,
        backpressureClose: () => tripped++,
      },
    });
    const c = await client();
    const sessionId = await identified(c);
    // Stop reading: the kernel buffers fill, then ws buffers, then the bound trips.
    (c.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = 'x'.repeat(16 * 1024);
    let sent = 0;
    while (tripped === 0 && sent < 2000) {
      server!.dispatchToGuild(GUILD_A, 'BIG_EVENT', { n: ++sent, big }, { intent: null });
      if (sent % 50 === 0) await delay(1);
    }
    // The server let the socket go before our 2000 (~32 MB) went out.
    expect(tripped).toBe(1);
    expect(sent).toBeLessThan(900);
    // Dispatches after the cut go to the replay buffer only.
    for (let i = 0; i < 5; i++) server!.dispatchToGuild(GUILD_A, 'BIG_EVENT', { n: ++sent, big }, { intent: null });
    c.ws.terminate();
    const r = await client();
    r.send({ op: 6, d: { token: 'token-1', session_id: sessionId, seq: 3 } });
    const resumed = await r.dispatch('RESUMED');
    const replayed = r.received.filter((p) => p.t === 'BIG_EVENT');
    expect(replayed).toHaveLength(sent);
    expect(replayed.map((p) => p.d.n)).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
    expect(replayed.map((p) => p.s)).toEqual(Array.from({ length: sent }, (_, i) => i + 4));
    expect(resumed.s).toBe(sent + 4);
  });
});
