// Issue #12 item 10: the identify queue forgets connections that closed, a queued connection still times out, and
// Identify is rate limited per remote address (the address also reaches `authenticate`).
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryBroker } from '../src/Broker.js';
import type { GatewayServer } from '../src/GatewayServer.js';
import { InMemoryIdentifyThrottle } from '../src/IdentifyThrottle.js';
import type { ResumeStore } from '../src/resume/ResumeStore.js';
import { InMemorySessionStartLimiter } from '../src/SessionStartLimiter.js';
import type { AuthenticateContext } from '../src/types.js';
import { connect, delay, GUILD_A, startServer, type TestClient, user } from './helpers.js';

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

describe('identify queue', () => {
  it('connections that closed while queued give their places up', async () => {
    server = await startServer({ identifyIntervalMs: 1000 });
    const first = await client();
    first.identify('1');
    await first.dispatch('READY');
    // Six more Identifies for the same bucket queue up behind it, then their connections close.
    const quitters = await Promise.all(Array.from({ length: 6 }, () => client()));
    for (const q of quitters) q.identify('1');
    await delay(50);
    for (const q of quitters) q.ws.terminate();
    await Promise.all(quitters.map((q) => q.closed));
    const started = performance.now();
    const last = await client();
    last.identify('1');
    // One interval after the first Identify, not seven.
    await last.dispatch('READY', 3500);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('a queued connection still times out (4009, identifyTimeout counted from open)', async () => {
    server = await startServer({ identifyIntervalMs: 60_000, identifyTimeout: 300 });
    const first = await client();
    first.identify('1');
    await first.dispatch('READY');
    const queued = await client();
    queued.identify('1');
    expect((await queued.closed).code).toBe(4009);
    expect(queued.received.some((p) => p.t === 'READY')).toBe(false);
  });

  it('the in-memory throttle resolves places of gone callers on prune and skips them', async () => {
    const throttle = new InMemoryIdentifyThrottle(60_000);
    expect(await throttle.wait('b')).toBe(false);
    let gone = false;
    const waiting = Array.from({ length: 5 }, () => throttle.wait('b', () => gone));
    expect(throttle.queued).toBe(5);
    gone = true;
    throttle.prune();
    expect(await Promise.all(waiting)).toEqual([true, true, true, true, true]);
    expect(throttle.queued).toBe(0);
  });
});

describe('identify limit per remote address', () => {
  it('closes with 4008 past the limit, failed authentications included', async () => {
    server = await startServer({ identifyLimitPerAddress: { identifies: 3, windowMs: 60_000 } });
    const a = await client();
    a.identify('1');
    await a.dispatch('READY');
    const bad = await client();
    bad.send({ op: 2, d: { token: 'nope', properties: {}, intents: 1 } });
    expect((await bad.closed).code).toBe(4004);
    const b = await client();
    b.identify('2');
    await b.dispatch('READY');
    const c = await client();
    c.identify('3');
    expect((await c.closed).code).toBe(4008);
    // Resume is not an Identify: a session can still come back.
    const ready = a.received.find((p) => p.t === 'READY')!;
    a.ws.terminate();
    await a.closed;
    const back = await client();
    back.send({ op: 6, d: { token: 'token-1', session_id: ready.d.session_id, seq: 1 } });
    await back.dispatch('RESUMED');
  });

  it('is on by default', async () => {
    server = await startServer();
    let closed = 0;
    for (let i = 0; i < 200 && closed === 0; i++) {
      const c = await client();
      c.send({ op: 2, d: { token: 'nope', properties: {}, intents: 1 } });
      const { code } = await c.closed;
      if (code === 4008) closed = i + 1;
      else expect(code).toBe(4004);
    }
    expect(closed).toBeGreaterThan(10);
  });

  it('passes the remote address to authenticate, for Identify and Resume', async () => {
    const seen: AuthenticateContext[] = [];
    server = await startServer({
      authenticate: (token, context) => {
        seen.push(context);
        const match = /^token-(\d+)$/.exec(token);
        return match ? { user: user(match[1]!) } : null;
      },
    });
    const c = await client();
    c.identify('1');
    const ready = await c.dispatch('READY');
    c.ws.terminate();
    await c.closed;
    const back = await client();
    back.send({ op: 6, d: { token: 'token-1', session_id: ready.d.session_id, seq: 1 } });
    await back.dispatch('RESUMED');
    expect(seen).toEqual([{ remoteAddress: '127.0.0.1' }, { remoteAddress: '127.0.0.1' }]);
  });
});

describe('other client-controlled state', () => {
  it('op 31 answers each guild once, however often it is listed', async () => {
    server = await startServer();
    const c = await client();
    c.identify('1');
    await c.dispatch('READY');
    c.send({ op: 31, d: { guild_ids: [GUILD_A, GUILD_A, GUILD_A, GUILD_A] } });
    await c.dispatch('SOUNDBOARD_SOUNDS');
    server.dispatchToGuild(GUILD_A, 'AFTER', {}, { intent: null });
    await c.dispatch('AFTER');
    expect(c.received.filter((p) => p.t === 'SOUNDBOARD_SOUNDS')).toHaveLength(1);
  });

  it('a Resume whose session_id cannot be one of ours is refused (op 9) without asking the resume store', async () => {
    const claimed: string[] = [];
    const store = {
      claim: async (sessionId: string) => {
        claimed.push(sessionId);
        return null;
      },
    } as unknown as ResumeStore;
    const broker = Object.assign(new InMemoryBroker(), { history: true });
    server = await startServer({ resumeStore: store, broker });
    const c = await client();
    c.send({ op: 6, d: { token: 'token-1', session_id: `{x}${'a'.repeat(3000)}`, seq: 1 } });
    expect((await c.next((p) => p.op === 9)).d).toBe(false);
    const d = await client();
    d.send({ op: 6, d: { token: 'token-1', session_id: 'ab'.repeat(16), seq: 1 } });
    await d.next((p) => p.op === 9);
    expect(claimed).toEqual(['ab'.repeat(16)]);
  });

  it('the in-memory session start limiter forgets users whose window ended', () => {
    const limiter = new InMemorySessionStartLimiter(10, 1000, 1);
    for (let i = 0; i < 50; i++) limiter.consume(String(i), 0);
    expect(limiter.size).toBe(50);
    limiter.prune(500);
    expect(limiter.size).toBe(50);
    limiter.prune(1000);
    expect(limiter.size).toBe(0);
  });
});
