import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryBroker } from '../src/Broker.js';
import type { GatewayServer } from '../src/GatewayServer.js';
import { connect, defaultDirectory, GUILD_A, startServer, type TestClient } from './helpers.js';

const servers: GatewayServer[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const s of servers.splice(0)) await s.close();
});

describe('broker', () => {
  it('fans a dispatch made on one node out to the sessions of every node sharing the broker', async () => {
    const broker = new InMemoryBroker();
    const directory = defaultDirectory();
    const a = await startServer({ broker, directory });
    const b = await startServer({ broker, directory });
    servers.push(a, b);
    const onA = await connect(a);
    const onB = await connect(b);
    clients.push(onA, onB);
    await onA.ready('1');
    const readyB = await onB.ready('2');
    a.dispatchRaw(
      'TYPING_START',
      { guild_id: GUILD_A, channel_id: `${GUILD_A}1`, user_id: '3' },
      { type: 'guild', guildId: GUILD_A },
      { intent: null },
    );
    const [x, y] = await Promise.all([onA.dispatch('TYPING_START'), onB.dispatch('TYPING_START')]);
    expect(x.d.user_id).toBe('3');
    expect(y.d.user_id).toBe('3');
    // Each node numbers its own sessions.
    expect(x.s).toBe(4);
    expect(y.s).toBe(4);
    a.dispatchToSession(readyB.d.session_id, 'ONLY_B', {});
    await onB.dispatch('ONLY_B');
    a.dispatchToUsers('2', 'USER_EVENT', { n: 1 }, { intent: null });
    expect((await onB.dispatch('USER_EVENT')).d).toEqual({ n: 1 });
    expect(onA.received.some((p) => p.t === 'ONLY_B' || p.t === 'USER_EVENT')).toBe(false);
  });
});

describe('the broker a server makes for itself', () => {
  it('delivers what is published to a topic of its sessions, and still serves listeners subscribed per topic', async () => {
    const server = await startServer({});
    servers.push(server);
    const c = await connect(server);
    clients.push(c);
    const ready = await c.ready('1');
    // Its sessions' topics are not subscribed one by one: its session index says which ones it listens to.
    server.dispatchRaw('IN_GUILD', {}, { type: 'guild', guildId: GUILD_A }, { intent: null });
    server.dispatchRaw('OTHER_GUILD', {}, { type: 'guild', guildId: '999' }, { intent: null });
    server.dispatchRaw('TO_SESSION', {}, { type: 'session', sessionId: ready.d.session_id }, { intent: null });
    server.dispatchRaw('TO_USER', {}, { type: 'users', userIds: ['1'] }, { intent: null });
    server.dispatchRaw('OTHER_USER', {}, { type: 'users', userIds: ['2'] }, { intent: null });
    await c.dispatch('TO_USER');
    expect(c.received.filter((p) => p.op === 0).map((p) => p.t)).toEqual([
      'READY',
      'GUILD_CREATE',
      'GUILD_CREATE',
      'IN_GUILD',
      'TO_SESSION',
      'TO_USER',
    ]);
    const seen: string[] = [];
    const listener = (m: { event: string }) => seen.push(m.event);
    await server.broker.subscribe('session:elsewhere', listener);
    await server.broker.publish('session:elsewhere', {
      event: 'READYZ',
      data: null,
      intent: null,
      target: { type: 'session', sessionId: 'elsewhere' },
      createdAt: Date.now(),
    });
    expect(seen).toEqual(['READYZ']);
    await server.broker.unsubscribe('session:elsewhere', listener);
  });
});
