// In-process handover: two gateway servers in this process share Redis (broker with history + resume store) behind
// the loopback balancer. Draining A moves every session to B while dispatches keep flowing; raw clients resume by hand
// so the test sees the protocol itself: seq numbers continue without a gap or a repeat, nothing is replayed twice.
import { type LoadBalancer, requireService, startLoadBalancer } from '@concord/test-services';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../src/GatewayServer.js';
import { startRedisCluster } from './fixtures/redisCluster.js';
import { defaultDirectory, GUILD_A, type Payload, startServer, TestClient } from './helpers.js';

const redisUp = await requireService({
  name: 'redis',
  host: '127.0.0.1',
  port: 6379,
  howToStart: 'bash .ci/services/redis.sh start',
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** One logical client across connections: answers op 7 by closing (4000) and resuming through the balancer. */
class ResumingClient {
  readonly payloads: Payload[] = [];
  readonly sockets: TestClient[] = [];
  sessionId = '';
  resumes = 0;
  #seq: number | null = null;

  constructor(
    readonly url: string,
    readonly userId: string,
  ) {}

  async identify(): Promise<void> {
    const c = this.#open();
    await c.opened;
    const ready = await c.ready(this.userId);
    this.sessionId = ready.d.session_id;
  }

  #open(): TestClient {
    const c = new TestClient(this.url);
    this.sockets.push(c);
    cleanups.push(() => c.ws.terminate());
    c.ws.on('message', () => {
      const p = c.received.at(-1)!;
      this.payloads.push(p);
      if (p.s !== null && p.s !== undefined) this.#seq = p.s;
      if (p.op === 7) void this.#resume(c);
    });
    return c;
  }

  async #resume(old: TestClient): Promise<void> {
    old.ws.close(4000);
    await old.closed;
    const c = this.#open();
    await c.opened;
    await c.next((p) => p.op === 10);
    c.send({ op: 6, d: { token: `token-${this.userId}`, session_id: this.sessionId, seq: this.#seq } });
    await c.dispatch('RESUMED');
    this.resumes++;
  }

  dispatches(t: string): Payload[] {
    return this.payloads.filter((p) => p.op === 0 && p.t === t);
  }
}

describe.skipIf(!redisUp)('drain hands sessions to another server (shared Redis resume store)', () => {
  it('every session resumes on B with its seq continuing, while dispatches flow', async () => {
    const prefix = `handover${Date.now().toString(36)}${process.pid}:`;
    const { brokers, stores, close } = await startRedisCluster(prefix);
    cleanups.push(close);
    const lb: LoadBalancer = await startLoadBalancer([]);
    cleanups.push(() => lb.close());
    const servers: GatewayServer[] = [];
    for (let i = 0; i < 2; i++) {
      servers.push(
        await startServer({
          broker: brokers[i]!,
          resumeStore: stores[i]!,
          directory: defaultDirectory(),
          resumeGatewayUrl: lb.url,
        }),
      );
    }
    const [a, b] = servers as [GatewayServer, GatewayServer];
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    const backend = (s: GatewayServer): string => s.url.slice('ws://'.length);

    // Everyone starts on A.
    lb.setBackends([backend(a)]);
    const clients = ['1', '2', '3', '1', '2', '3'].map((id) => new ResumingClient(lb.url, id));
    for (const c of clients) await c.identify();
    await brokers[0]!.ready();
    expect(a.sessionCount).toBe(6);
    lb.setBackends([backend(a), backend(b)]);

    // B publishes a numbered dispatch every 5 ms for the whole drain.
    let n = 0;
    const timer = setInterval(() => b.dispatchToGuild(GUILD_A, 'SEQ', { n: n++ }, { intent: null }), 5);
    cleanups.push(() => clearInterval(timer));
    const stats = await a.drain({ waveSize: 2, waveIntervalMs: 50, close: false });
    await new Promise((r) => setTimeout(r, 100));
    clearInterval(timer);
    b.dispatchToGuild(GUILD_A, 'END', {}, { intent: null });
    await Promise.all(clients.map((c) => c.sockets.at(-1)!.dispatch('END', 8000)));

    expect(stats).toMatchObject({ sessions: 6, waves: 3, perWave: [2, 2, 2], forced: 0, unsaved: 0 });
    expect(b.sessionCount).toBe(6);
    for (const c of clients) {
      expect(c.resumes).toBe(1);
      expect(c.payloads.filter((p) => p.op === 9)).toEqual([]);
      expect(c.dispatches('READY')).toHaveLength(1);
      // The protocol view: seq numbers 1, 2, 3… across both connections, each once.
      const seqs = c.payloads.filter((p) => p.op === 0).map((p) => p.s);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      // The application view: every numbered dispatch since the first one seen, each once, in order.
      const ns = c.dispatches('SEQ').map((p) => p.d.n as number);
      expect(ns).toEqual(Array.from({ length: n }, (_, i) => i));
    }
  });
});
