import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GatewayConnection, InMemoryIdentifyQueue, SendQueue, type WebSocketLike } from '../src/index.js';

/** An in-memory WebSocket, so heartbeat timing can be checked with fake timers. */
class MockSocket implements WebSocketLike {
  static instances: MockSocket[] = [];
  binaryType = 'blob';
  readyState = 1;
  // biome-ignore lint/suspicious/noExplicitAny: sent payloads are free-form in tests
  sent: { op: number; d: any }[] = [];
  closedWith: number | null = null;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  constructor(readonly url: string) {
    MockSocket.instances.push(this);
  }
  send(data: string | Uint8Array): void {
    this.sent.push(JSON.parse(String(data)));
  }
  close(code?: number): void {
    this.closedWith = code ?? 1005;
    this.readyState = 3;
  }
  receive(payload: { op: number; d: unknown; s?: number | null; t?: string | null }): void {
    this.onmessage?.({ data: JSON.stringify({ s: null, t: null, ...payload }) });
  }
  ops(): number[] {
    return this.sent.map((p) => p.op);
  }
}

function client(random = 0.25) {
  return new GatewayConnection({
    token: 't',
    intents: 1,
    url: 'ws://gateway.test',
    compression: null,
    WebSocket: MockSocket,
    random: () => random,
  });
}

beforeEach(() => {
  vi.useFakeTimers();
  MockSocket.instances = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('heartbeat timing (fake timers)', () => {
  it('first heartbeat after interval × random, then every interval, carrying the last seq', async () => {
    const c = client(0.25);
    c.connect().catch(() => {});
    await vi.advanceTimersByTimeAsync(0);
    const ws = MockSocket.instances[0] as MockSocket;
    expect(ws.url).toBe('ws://gateway.test/?v=10&encoding=json');
    ws.receive({ op: 10, d: { heartbeat_interval: 1000 } });
    await vi.advanceTimersByTimeAsync(0);
    expect(ws.ops()).toEqual([2]);
    ws.receive({ op: 0, t: 'READY', s: 1, d: { session_id: 's', resume_gateway_url: 'ws://resume.test', v: 10 } });
    await vi.advanceTimersByTimeAsync(249);
    expect(ws.ops()).toEqual([2]);
    await vi.advanceTimersByTimeAsync(1);
    expect(ws.sent[1]).toEqual({ op: 1, d: 1 });
    ws.receive({ op: 11, d: null });
    await vi.advanceTimersByTimeAsync(999);
    expect(ws.ops()).toEqual([2, 1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(ws.ops()).toEqual([2, 1, 1]);
    c.destroy();
  });

  it('no ACK before the next beat: zombie, closes with 4000 and resumes on resume_gateway_url', async () => {
    const c = client(0);
    c.connect().catch(() => {});
    await vi.advanceTimersByTimeAsync(0);
    const ws = MockSocket.instances[0] as MockSocket;
    ws.receive({ op: 10, d: { heartbeat_interval: 1000 } });
    ws.receive({ op: 0, t: 'READY', s: 1, d: { session_id: 's', resume_gateway_url: 'ws://resume.test', v: 10 } });
    ws.receive({ op: 0, t: 'X', s: 2, d: {} });
    await vi.advanceTimersByTimeAsync(1); // first beat (random 0)
    expect(ws.sent[1]).toEqual({ op: 1, d: 2 });
    await vi.advanceTimersByTimeAsync(1000); // no ACK came
    expect(ws.closedWith).toBe(4000);
    expect(ws.ops()).toEqual([2, 1]);
    await vi.advanceTimersByTimeAsync(0);
    const next = MockSocket.instances[1] as MockSocket;
    expect(next.url).toBe('ws://resume.test/?v=10&encoding=json');
    next.receive({ op: 10, d: { heartbeat_interval: 1000 } });
    expect(next.sent[0]).toEqual({ op: 6, d: { token: 't', session_id: 's', seq: 2 } });
    c.destroy();
  });

  it('no Hello within helloTimeout: drops the socket and tries again', async () => {
    const c = client();
    c.connect().catch(() => {});
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(20_000);
    expect((MockSocket.instances[0] as MockSocket).closedWith).toBe(4000);
    await vi.advanceTimersByTimeAsync(1); // fake timers turn a 0 ms timer set during a tick into 1 ms
    expect(MockSocket.instances.length).toBe(2);
    c.destroy();
  });

  it('reconnect attempts back off exponentially, capped, with jitter; reset after READY', async () => {
    const c = new GatewayConnection({
      token: 't',
      intents: 1,
      url: 'ws://gateway.test',
      compression: null,
      WebSocket: MockSocket,
      random: () => 1,
      backoff: { base: 100, max: 400 },
    });
    const delays: number[] = [];
    c.on('debug', (m) => {
      const match = /in (\d+) ms/.exec(m);
      if (match) delays.push(Number(match[1]));
    });
    c.connect().catch(() => {});
    for (let i = 0; i < 6; i++) {
      await vi.advanceTimersByTimeAsync(1000);
      const ws = MockSocket.instances[MockSocket.instances.length - 1] as MockSocket;
      ws.readyState = 3;
      ws.onclose?.({ code: 1006, reason: '' });
    }
    expect(delays).toEqual([0, 100, 200, 400, 400, 400]);
    c.destroy();
  });
});

describe('SendQueue', () => {
  it('holds ordinary commands beyond limit - reserved until the next window; priority ones still go', async () => {
    const q = new SendQueue({ limit: 10, windowMs: 1000, reserved: 3 });
    const sent: string[] = [];
    q.resume();
    const all = Array.from({ length: 12 }, (_, i) => q.enqueue(() => sent.push(`c${i}`)));
    expect(sent.length).toBe(7);
    expect(q.sendPriority(() => sent.push('hb1'))).toBe(true);
    expect(q.sendPriority(() => sent.push('hb2'))).toBe(true);
    expect(q.sendPriority(() => sent.push('hb3'))).toBe(true);
    expect(q.sendPriority(() => sent.push('hb4'))).toBe(false); // the window is full
    await vi.advanceTimersByTimeAsync(1001);
    expect(sent.filter((s) => s.startsWith('c'))).toEqual(Array.from({ length: 12 }, (_, i) => `c${i}`));
    await Promise.all(all);
  });

  it('holds everything while paused and rejects queued commands on clear', async () => {
    const q = new SendQueue();
    const sent: number[] = [];
    const p = q.enqueue(() => sent.push(1));
    expect(sent).toEqual([]);
    q.resume();
    await p;
    expect(sent).toEqual([1]);
    q.pause();
    const held = q.enqueue(() => sent.push(2));
    q.clear(new Error('gone'));
    await expect(held).rejects.toThrow('gone');
    expect(sent).toEqual([1]);
  });

  it('a connection keeps ordinary sends within 120 per minute by default (115 + 5 reserved)', async () => {
    const c = client();
    c.connect().catch(() => {});
    await vi.advanceTimersByTimeAsync(0);
    const ws = MockSocket.instances[0] as MockSocket;
    ws.receive({ op: 10, d: { heartbeat_interval: 1_000_000 } }); // no heartbeat (hence no zombie) in this test
    ws.receive({ op: 0, t: 'READY', s: 1, d: { session_id: 's', resume_gateway_url: 'ws://r.test', v: 10 } });
    for (let i = 0; i < 200; i++) void c.send({ op: 3, d: { i } });
    await vi.advanceTimersByTimeAsync(0);
    expect(ws.sent.filter((p) => p.op === 3).length).toBe(114); // identify used one of the 115
    await vi.advanceTimersByTimeAsync(60_001);
    expect(ws.sent.filter((p) => p.op === 3).length).toBe(200);
    c.destroy();
  });
});

describe('InMemoryIdentifyQueue', () => {
  it('one identify per bucket per interval; buckets are shard_id % max_concurrency', async () => {
    const t = new InMemoryIdentifyQueue(2, 5000);
    const at: Record<number, number> = {};
    const start = Date.now();
    const all = Promise.all(
      [0, 1, 2, 3, 4].map((id) =>
        t.wait(id).then(() => {
          at[id] = Date.now() - start;
        }),
      ),
    );
    await vi.advanceTimersByTimeAsync(10_000);
    await all;
    expect(at).toEqual({ 0: 0, 1: 0, 2: 5000, 3: 5000, 4: 10000 });
  });
});
