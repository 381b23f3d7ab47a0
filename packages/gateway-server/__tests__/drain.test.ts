import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Broker } from '../src/Broker.js';
import { InMemoryBroker } from '../src/Broker.js';
import type { GatewayServer } from '../src/GatewayServer.js';
import { resolveWaveSize } from '../src/lifecycle/drain.js';
import { createGatewayMetrics } from '../src/metrics/createGatewayMetrics.js';
import { type DetachedSessionStore, InMemoryDetachedSessionStore } from '../src/ports/DetachedSessionStore.js';
import type { Session } from '../src/session/Session.js';
import { connect, GUILD_A, startServer, type TestClient } from './helpers.js';

const servers: GatewayServer[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const s of servers.splice(0)) await s.close();
});

/** `n` identified raw clients (users 1..n); returns them with their session ids. */
async function identified(server: GatewayServer, n: number): Promise<{ c: TestClient; sessionId: string }[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const c = await connect(server);
      clients.push(c);
      const ready = await c.ready(String(i + 1));
      return { c, sessionId: ready.d.session_id as string };
    }),
  );
}

/** Answers op 7 as a Discord client does: closes with a resumable code (4000 keeps the session). */
function leaveOnReconnect(c: TestClient, onOp7: () => void = () => undefined): void {
  c.ws.on('message', () => {
    // TestClient decodes on its own listener (registered first), so the op 7 is already in `received`.
    const last = c.received.at(-1);
    if (last?.op === 7) {
      onOp7();
      c.ws.close(4000);
    }
  });
}

/** Upgrade attempt: the HTTP status the server answered with (101 = accepted). */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/?v=10&encoding=json`);
    ws.once('upgrade', (res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once('error', (error) => reject(error));
  });
}

describe('resolveWaveSize', () => {
  it('takes counts as they are and percentages of the total, never below 1', () => {
    expect(resolveWaveSize(undefined, 100)).toBe(5);
    expect(resolveWaveSize(undefined, 3)).toBe(1);
    expect(resolveWaveSize('25%', 10)).toBe(3);
    expect(resolveWaveSize('100%', 7)).toBe(7);
    expect(resolveWaveSize(4, 100)).toBe(4);
    expect(resolveWaveSize('5%', 0)).toBe(1);
  });

  it('rejects sizes that would never drain', () => {
    expect(() => resolveWaveSize(0, 10)).toThrow(RangeError);
    expect(() => resolveWaveSize(Number.NaN, 10)).toThrow(RangeError);
    expect(() => resolveWaveSize('0%', 10)).toThrow(RangeError);
    expect(() => resolveWaveSize('150%', 10)).toThrow(RangeError);
    expect(() => resolveWaveSize('x%' as `${number}%`, 10)).toThrow(RangeError);
  });
});

describe('drain options', () => {
  it('rejects bad options without starting to drain', async () => {
    const server = await startServer();
    servers.push(server);
    await expect(server.drain({ waveSize: 0 })).rejects.toThrow(RangeError);
    await expect(server.drain({ timeoutMs: Number.NaN })).rejects.toThrow(/timeoutMs/);
    await expect(server.drain({ waveIntervalMs: -1 })).rejects.toThrow(/waveIntervalMs/);
    expect(server.draining).toBe(false);
    expect(await upgradeStatus(server.url)).toBe(101);
  });
});

describe('drain', () => {
  it('sends op 7 in waves, refuses new upgrades with 503, and hands every session to the store', async () => {
    const store = new InMemoryDetachedSessionStore<Session>();
    const metrics = createGatewayMetrics();
    const server = await startServer({ detachedSessionStore: store as DetachedSessionStore, metrics });
    servers.push(server);
    const sessions = await identified(server, 20);
    // The wave that was last sent when each client's op 7 arrived: an op 7 cannot arrive before its wave is sent.
    let currentWave = 0;
    const arrivedIn = new Map<string, number>();
    for (const { c, sessionId } of sessions) leaveOnReconnect(c, () => arrivedIn.set(sessionId, currentWave));
    const progress: { wave: number; reconnects: number; queued: number; pending: number }[] = [];
    const duringDrain: Promise<number>[] = [];
    const gauge: string[] = [];

    const stats = await server.drain({
      waveSize: 5,
      waveIntervalMs: 50,
      close: false,
      onProgress: (p) => {
        if (p.phase === 'wave') currentWave = p.wave;
        progress.push({ wave: p.wave, reconnects: p.reconnects, queued: p.queued, pending: p.pending });
        if (p.wave === 1 && p.phase === 'wave') {
          duringDrain.push(upgradeStatus(server.url));
          void metrics.render().then((text) => gauge.push(text));
        }
      },
    });

    expect(stats).toMatchObject({ sessions: 20, waves: 4, perWave: [5, 5, 5, 5], forced: 0, unsaved: 0 });
    expect(progress.map((p) => [p.wave, p.reconnects, p.queued])).toEqual([
      [1, 5, 15],
      [2, 5, 10],
      [3, 5, 5],
      [4, 5, 0],
      [4, 0, 0],
    ]);
    expect(progress.at(-1)!.pending).toBe(0);
    // Each client got exactly one op 7, and by the end of wave k at most 5·k of them had arrived.
    for (const { c } of sessions) expect(c.received.filter((p) => p.op === 7)).toHaveLength(1);
    const arrived = [...arrivedIn.values()];
    expect(arrived).toHaveLength(20);
    for (let k = 1; k <= 4; k++) expect(arrived.filter((w) => w <= k).length).toBeLessThanOrEqual(5 * k);
    expect(await Promise.all(duringDrain)).toEqual([503]);
    expect(server.draining).toBe(true);
    expect(await upgradeStatus(server.url)).toBe(503);
    // Every session is detached and waiting in the store, with everything it was sent.
    expect(server.connectionCount).toBe(0);
    expect(store.size()).toBe(20);
    for (const { c, sessionId } of sessions) {
      const stored = store.take(sessionId);
      expect(stored?.sessionId).toBe(sessionId);
      expect(stored?.seq).toBe(c.lastSeq());
    }
    expect(gauge[0]).toMatch(/concord_gateway_draining_sessions [1-9]/);
    expect(await metrics.render()).toMatch(/concord_gateway_draining_sessions 0/);
  });

  it('closes the server and its broker afterwards, and a second call returns the same run', async () => {
    let brokerClosed = 0;
    const inner = new InMemoryBroker();
    const broker: Broker = {
      publish: (t, m) => inner.publish(t, m),
      subscribe: (t, l) => inner.subscribe(t, l),
      unsubscribe: (t, l) => inner.unsubscribe(t, l),
      close: () => {
        brokerClosed++;
      },
    };
    const server = await startServer({ broker });
    servers.push(server);
    const url = server.url;
    for (const { c } of await identified(server, 3)) leaveOnReconnect(c);
    const first = server.drain({ waveSize: '50%', waveIntervalMs: 10 });
    const second = server.drain({ waveSize: 1 });
    expect(second).toBe(first);
    const stats = await first;
    expect(stats).toMatchObject({ sessions: 3, waves: 2, perWave: [2, 1], forced: 0, unsaved: 0 });
    expect(brokerClosed).toBe(1);
    expect(server.sessionCount).toBe(0);
    await expect(upgradeStatus(url)).rejects.toThrow(/ECONNREFUSED/);
    await expect(server.drain()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('closes connections that ignore op 7 with 4000 once the timeout runs out, keeping their sessions', async () => {
    const store = new InMemoryDetachedSessionStore<Session>();
    const server = await startServer({ detachedSessionStore: store as DetachedSessionStore });
    servers.push(server);
    const sessions = await identified(server, 4);
    const stats = await server.drain({ waveSize: '50%', waveIntervalMs: 20, timeoutMs: 200, close: false });
    expect(stats).toMatchObject({ sessions: 4, waves: 2, forced: 4, unsaved: 0 });
    for (const { c, sessionId } of sessions) {
      expect((await c.closed).code).toBe(4000);
      expect(store.take(sessionId)?.sessionId).toBe(sessionId);
    }
  });

  it('waits until the store has confirmed every session before resolving', async () => {
    const saved = new Map<string, Session>();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let saves = 0;
    const slow: DetachedSessionStore<Session> = {
      async save(id, session) {
        saves++;
        await gate;
        saved.set(id, session);
      },
      take: (id) => saved.get(id),
      delete: (id) => {
        saved.delete(id);
      },
    };
    const server = await startServer({ detachedSessionStore: slow as DetachedSessionStore });
    servers.push(server);
    const sessions = await identified(server, 3);
    for (const { c } of sessions) leaveOnReconnect(c);
    let settled = false;
    let pendingSeen = -1;
    const run = server
      .drain({
        waveSize: 3,
        onProgress: (p) => {
          if (p.phase === 'wave') pendingSeen = p.pending;
        },
      })
      .finally(() => {
        settled = true;
      });
    // Every socket is gone and every save started, yet the drain holds on until the store answers.
    await Promise.all(sessions.map(({ c }) => c.closed));
    while (saves < 3) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    expect(pendingSeen).toBe(3);
    release();
    const stats = await run;
    expect(stats).toMatchObject({ sessions: 3, unsaved: 0 });
    // close() after the drain leaves the handed-over sessions in the store for another node.
    expect([...saved.keys()].sort()).toEqual(sessions.map((s) => s.sessionId).sort());
  });

  it('counts sessions whose store write failed as unsaved', async () => {
    const failing: DetachedSessionStore = {
      save: () => Promise.reject(new Error('store down')),
      take: () => undefined,
      delete: () => undefined,
    };
    const server = await startServer({ detachedSessionStore: failing });
    servers.push(server);
    for (const { c } of await identified(server, 2)) leaveOnReconnect(c);
    const stats = await server.drain({ waveSize: 2, timeoutMs: 2000 });
    expect(stats).toMatchObject({ sessions: 2, unsaved: 2 });
  });

  it('keeps delivering to sessions not yet asked to leave', async () => {
    const server = await startServer();
    servers.push(server);
    const sessions = await identified(server, 2);
    for (const { c } of sessions) leaveOnReconnect(c);
    let during = 0;
    await server.drain({
      waveSize: 1,
      waveIntervalMs: 30,
      close: false,
      onProgress: (p) => {
        if (p.phase === 'wave' && p.wave === 1) {
          server.dispatchToGuild(GUILD_A, 'DURING', { n: 1 }, { intent: null });
          during++;
        }
      },
    });
    expect(during).toBe(1);
    // The client of wave 2 was still connected when the dispatch went out: it got it live, before its op 7.
    const second = sessions[1]!.c.received;
    const at = second.findIndex((p) => p.t === 'DURING');
    expect(at).toBeGreaterThan(-1);
    expect(second.findIndex((p) => p.op === 7)).toBeGreaterThan(at);
  });
});
