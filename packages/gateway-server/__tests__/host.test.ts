import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { requireService } from '@concord/test-services';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerMessage } from '../src/Broker.js';
import { splicedBody } from '../src/brokers/brokerCodec.js';
import { createNatsBroker } from '../src/brokers/createNatsBroker.js';
import { encodeFrame, FrameKind, HostBroker } from '../src/host/index.js';
import { GUILD_A, GUILD_B, startServer, TestClient } from './helpers.js';

const natsUp = await requireService({
  name: 'nats',
  host: '127.0.0.1',
  port: 4222,
  howToStart: 'bash .ci/services/nats.sh start',
});

interface WorkerInfo {
  slot: number;
  id: string;
  restarts: number;
  resumePort: number;
}

type Line = Record<string, unknown>;

/** A host of two workers in real processes (fixtures/hostPrimary.ts), spoken to over its stdin/stdout. */
class HostProcess {
  readonly child: ChildProcess;
  readonly #lines: Line[] = [];
  readonly #waiters: { test: (l: Line) => boolean; resolve: (l: Line) => void }[] = [];
  readonly #exited: Promise<unknown>;

  constructor(natsPrefix?: string) {
    this.child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./fixtures/hostPrimary.ts', import.meta.url)),
        '2',
        '0',
        ...(natsPrefix ? [natsPrefix] : []),
      ],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['pipe', 'pipe', 'inherit'] },
    );
    this.#exited = once(this.child, 'exit');
    createInterface({ input: this.child.stdout! }).on('line', (text) => {
      const line = JSON.parse(text) as Line;
      const i = this.#waiters.findIndex((w) => w.test(line));
      if (i === -1) this.#lines.push(line);
      else this.#waiters.splice(i, 1)[0]!.resolve(line);
    });
  }

  /** The first line (not yet taken) matching `test`. */
  next(test: (l: Line) => boolean): Promise<Line> {
    const i = this.#lines.findIndex(test);
    if (i !== -1) return Promise.resolve(this.#lines.splice(i, 1)[0]!);
    return new Promise((resolve) => this.#waiters.push({ test, resolve }));
  }

  command(command: Line): void {
    this.child.stdin!.write(`${JSON.stringify(command)}\n`);
  }

  /** Sends a command to worker `slot` and waits for its reply. */
  ask(slot: number, command: Line): Promise<Line> {
    const reply = this.next((l) => l.reply === command.cmd && l.slot === slot);
    this.child.stdin!.write(`${JSON.stringify({ slot, ...command })}\n`);
    return reply;
  }

  async close(): Promise<unknown> {
    this.child.stdin!.write(`${JSON.stringify({ close: true })}\n`);
    return (await this.#exited) as [number | null];
  }
}

describe('host worker pool (real processes)', { timeout: 60_000 }, () => {
  let host: HostProcess;
  let workers: WorkerInfo[];
  let url: string;
  const clients: TestClient[] = [];

  const client = async (port: number): Promise<TestClient> => {
    const c = new TestClient(`ws://127.0.0.1:${port}`);
    clients.push(c);
    await c.opened;
    return c;
  };

  beforeAll(async () => {
    host = new HostProcess();
    const started = await host.next((l) => typeof l.url === 'string');
    url = started.url as string;
    workers = started.workers as WorkerInfo[];
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    const [code] = (await host.close()) as [number | null];
    expect(code).toBe(0);
  });

  it('starts one worker per slot, each with its own resume port, sharing one gateway port', async () => {
    expect(workers.map((w) => w.slot)).toEqual([0, 1]);
    expect(new Set(workers.map((w) => w.resumePort)).size).toBe(2);
    const c = new TestClient(url);
    clients.push(c);
    await c.opened;
    const ready = await c.ready('1');
    // READY names the worker's own port, where a Resume finds the worker that holds the session.
    expect(workers.map((w) => `ws://127.0.0.1:${w.resumePort}`)).toContain(ready.d.resume_gateway_url);
  });

  it('delivers a dispatch published in one worker to sessions on the other, and stops after unsubscribe', async () => {
    const [w0, w1] = workers;
    const onW0 = await client(w0!.resumePort);
    const onW1 = await client(w1!.resumePort);
    const onW1b = await client(w1!.resumePort);
    // Users 1, 2 are in guilds A and B; user 3 only in A.
    await Promise.all([onW0.ready('1'), onW1.ready('3'), onW1b.ready('2')]);
    await host.ask(0, { cmd: 'waitListener', topic: `guild:${GUILD_A}`, peer: w1!.id, present: true });
    await host.ask(0, { cmd: 'waitListener', topic: `guild:${GUILD_B}`, peer: w1!.id, present: true });

    await host.ask(0, { cmd: 'dispatch', guildId: GUILD_A, event: 'HOST_HELLO', n: 1 });
    for (const c of [onW0, onW1, onW1b]) expect((await c.dispatch('HOST_HELLO', 10_000)).d).toEqual({ n: 1 });

    // User 3 and user 2 leave worker 1: nobody there listens to guild A any more.
    await Promise.all([onW1.close(), onW1b.close()]);
    await host.ask(0, { cmd: 'waitListener', topic: `guild:${GUILD_A}`, peer: w1!.id, present: false });
    const before = (await host.ask(1, { cmd: 'stats' })).stats as { received: number };
    await host.ask(0, { cmd: 'dispatch', guildId: GUILD_A, event: 'HOST_AFTER', n: 2 });
    await onW0.dispatch('HOST_AFTER', 10_000);
    // A later message on the same link that worker 1 does want: once it is there, the first would have been too.
    const marker = await client(w1!.resumePort);
    await marker.ready('2');
    await host.ask(0, { cmd: 'waitListener', topic: `guild:${GUILD_B}`, peer: w1!.id, present: true });
    await host.ask(0, { cmd: 'dispatch', guildId: GUILD_B, event: 'HOST_MARKER', n: 3 });
    await marker.dispatch('HOST_MARKER', 10_000);
    const after = (await host.ask(1, { cmd: 'stats' })).stats as { received: number };
    expect(after.received - before.received).toBe(1);
  });

  it('restarts a crashed worker; its sessions reconnect and receive from the other worker', async () => {
    const [w0, w1] = workers;
    const victim = await client(w1!.resumePort);
    await victim.ready('3');
    host.child.stdin!.write(`${JSON.stringify({ slot: 1, cmd: 'crash' })}\n`);
    const exit = await host.next((l) => l.event === 'workerExit' && l.slot === 1);
    expect(exit).toMatchObject({ code: 3, restarting: true });
    expect((await victim.closed).code).toBe(1006);
    const ready = await host.next((l) => l.event === 'workerReady' && l.slot === 1);
    const fresh = (ready.workers as WorkerInfo[])[1]!;
    expect(fresh.restarts).toBe(1);
    expect(fresh.id).not.toBe(w1!.id);
    workers[1] = fresh;

    const back = await client(fresh.resumePort);
    await back.ready('3');
    await host.ask(0, { cmd: 'waitListener', topic: `guild:${GUILD_A}`, peer: fresh.id, present: true });
    await host.ask(0, { cmd: 'dispatch', guildId: GUILD_A, event: 'AFTER_RESTART', n: 4 });
    expect((await back.dispatch('AFTER_RESTART', 10_000)).d).toEqual({ n: 4 });
    // And the dead worker's links are gone from the survivor.
    await host.ask(0, { cmd: 'waitListener', topic: `guild:${GUILD_A}`, peer: w1!.id, present: false });
    void w0;
  });
});

describe('HostBroker links', () => {
  const message = (n: number, size: number): BrokerMessage => ({
    event: 'BIG',
    data: { n, pad: 'x'.repeat(size) },
    intent: null,
    target: { type: 'guild', guildId: GUILD_A },
    createdAt: 0,
  });

  it('drops and counts messages to a peer that does not read, within the link bound', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'host-test-'));
    const cap = 256 * 1024;
    const broker = await HostBroker.listen({ id: 'a', path: join(dir, 'a.sock'), maxLinkBufferedBytes: cap });
    // A peer that subscribes to guild A and then never reads what it is sent.
    const held: Socket[] = [];
    const stalled = createServer({ pauseOnConnect: true }, (s) => held.push(s));
    await new Promise<void>((resolve) => stalled.listen(join(dir, 'b.sock'), resolve));
    const { connect } = await import('node:net');
    const toA = connect(join(dir, 'a.sock'));
    toA.write(Buffer.concat([encodeFrame(FrameKind.hello, 'b'), encodeFrame(FrameKind.subscribe, `guild:${GUILD_A}`)]));
    broker.setPeers([{ id: 'b', path: join(dir, 'b.sock') }]);
    while (!broker.listenersOf(`guild:${GUILD_A}`).includes('b')) await new Promise((r) => setTimeout(r, 5));

    // 40 × 64 KiB in one tick, then more over a few ticks: far over the bound, and the peer reads nothing.
    for (let round = 0; round < 5; round++) {
      for (let n = 0; n < 40; n++) broker.publish(`guild:${GUILD_A}`, message(n, 64 * 1024));
      await new Promise((r) => setImmediate(r));
    }
    expect(broker.stats.dropped).toBeGreaterThan(0);
    expect(broker.dropsByPeer().b).toBe(broker.stats.dropped);
    // What was accepted fits the bound (plus the one frame that crossed it is refused, not queued).
    expect(broker.stats.relayed * 64 * 1024).toBeLessThanOrEqual(cap + 8 * 64 * 1024 * 2);

    toA.destroy();
    for (const s of held) s.destroy();
    stalled.close();
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives its own listeners the message its peers decode, spliced from the bytes it sent them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'host-test-'));
    const peers = [
      { id: 'a', path: join(dir, 'a.sock') },
      { id: 'b', path: join(dir, 'b.sock') },
    ];
    const [a, b] = await Promise.all(peers.map((p) => HostBroker.listen(p)));
    const onA: BrokerMessage[] = [];
    const onB: BrokerMessage[] = [];
    const topic = `guild:${GUILD_A}`;
    a!.subscribe(topic, (m) => onA.push(m));
    b!.subscribe(topic, (m) => onB.push(m));
    a!.setPeers(peers);
    b!.setPeers(peers);
    while (!a!.listenersOf(topic).includes('b')) await new Promise((r) => setTimeout(r, 5));

    const sent = message(1, 10);
    a!.publish(topic, sent);
    // Delivered here at once, as the bytes sent to b decode: body kept for splicing, data equal to what b gets.
    expect(onA).toHaveLength(1);
    expect(onA[0]).not.toBe(sent);
    expect(splicedBody(onA[0]!)?.toString()).toBe(JSON.stringify(sent.data));
    while (onB.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(onA[0]).toEqual(onB[0]);
    expect(onA[0]!.data).toEqual(sent.data);

    // No peer listens: the message itself, nothing encoded.
    const alone = { ...sent, target: { type: 'guild' as const, guildId: GUILD_B } };
    a!.subscribe(`guild:${GUILD_B}`, (m) => onA.push(m));
    a!.publish(`guild:${GUILD_B}`, alone);
    expect(onA[1]).toBe(alone);

    await Promise.all([a!.close(), b!.close()]);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe.runIf(natsUp)('a host in a fleet over NATS (real processes)', { timeout: 60_000 }, () => {
  it('subscribes once per topic for the host, relays both ways, and delivers its own messages through the fleet', async () => {
    const prefix = `concord.hosttest.${process.pid}.${Date.now()}.`;
    const host = new HostProcess(prefix);
    const started = await host.next((l) => typeof l.url === 'string');
    const [w0, w1] = started.workers as WorkerInfo[];
    const fleet = await createNatsBroker({ nats: { servers: '127.0.0.1:4222' }, prefix });
    // Another node of the fleet, a plain gateway in this process.
    const other = await startServer({ broker: fleet });
    const clients: TestClient[] = [];
    const open = async (url: string, user: string): Promise<TestClient> => {
      const c = new TestClient(url);
      clients.push(c);
      await c.opened;
      await c.ready(user);
      return c;
    };
    try {
      const onW0 = await open(`ws://127.0.0.1:${w0!.resumePort}`, '1');
      const onW1 = await open(`ws://127.0.0.1:${w1!.resumePort}`, '3');
      const remote = await open(other.url, '2');
      await fleet.ready();
      // Two workers listen to guild A, the host holds one fleet subscription for it.
      for (;;) {
        host.command({ fleetTopics: true });
        const { fleetTopics } = await host.next((l) => Array.isArray(l.fleetTopics));
        if ((fleetTopics as string[]).includes(`guild:${GUILD_A}`)) {
          expect((fleetTopics as string[]).filter((t) => t === `guild:${GUILD_A}`)).toHaveLength(1);
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }

      // From the other node, through the fleet, into both workers.
      other.dispatchToGuild(GUILD_A, 'FROM_FLEET' as never, { n: 1 } as never, { intent: null });
      for (const c of [onW0, onW1, remote]) expect((await c.dispatch('FROM_FLEET', 10_000)).d).toEqual({ n: 1 });
      // From worker 0: up through the primary to the fleet, back to both workers and to the other node.
      await host.ask(0, { cmd: 'dispatch', guildId: GUILD_A, event: 'FROM_WORKER', n: 2 });
      for (const c of [onW0, onW1, remote]) expect((await c.dispatch('FROM_WORKER', 10_000)).d).toEqual({ n: 2 });
      // Once each: the host's own message is not delivered twice (locally and from the fleet).
      await host.ask(0, { cmd: 'dispatch', guildId: GUILD_A, event: 'MARK', n: 3 });
      await onW0.dispatch('MARK', 10_000);
      await onW1.dispatch('MARK', 10_000);
      for (const c of [onW0, onW1]) expect(c.received.filter((p) => p.t === 'FROM_WORKER')).toHaveLength(1);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await other.close();
      await fleet.close();
      const [code] = (await host.close()) as [number | null];
      expect(code).toBe(0);
    }
  });
});
