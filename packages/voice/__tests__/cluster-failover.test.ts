import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createGatewayServer, type GatewayServer, InMemoryDirectory } from '@concord/gateway-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { VoiceClient } from '../src/client/VoiceClient.js';
import { createVoiceNodeAllocator, type VoiceNodeAllocator } from '../src/cluster/index.js';
import { waitFor } from './helpers.js';

// Two voice node processes, an in-process gateway with the node allocator, two users talking in one channel; the
// node carrying the call is killed with SIGKILL and both users must follow the new VOICE_SERVER_UPDATE.

const SECRET = 'failover-secret';
const GUILD = String((4242n << 22n) | 1n);
const VOICE_CHANNEL = `${GUILD}2`;
const FIXTURE = fileURLToPath(new URL('./fixtures/voice-node.ts', import.meta.url));

interface NodeProcess {
  id: string;
  child: ChildProcess;
  healthUrl: string;
  endpoint: string;
}

async function startNode(id: string): Promise<NodeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, id, 'local', SECRET], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // Niced: their start-up (tsx compiling the sources) must not starve timing-sensitive tests in the other worker.
  try {
    setPriority(child.pid!, 10);
  } catch {
    // not permitted here: run at normal priority
  }
  let buffered = '';
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`voice node ${id} did not start`)), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const end = buffered.indexOf('\n');
      if (end !== -1) {
        clearTimeout(timer);
        resolve(buffered.slice(0, end));
      }
    });
    child.once('exit', (code) => reject(new Error(`voice node ${id} exited with ${code}`)));
  });
  const { healthUrl, endpoint } = JSON.parse(line) as { healthUrl: string; endpoint: string };
  return { id, child, healthUrl, endpoint };
}

// biome-ignore lint/suspicious/noExplicitAny: gateway payloads are read field by field
type Payload = { op: number; d: any; s: number | null; t: string | null };

/** Just enough of a gateway client: identify, answer heartbeat requests, collect dispatches. */
class GatewayUser {
  readonly ws: WebSocket;
  readonly dispatches: Payload[] = [];
  readonly #listeners = new Set<(p: Payload) => void>();
  #seq: number | null = null;

  constructor(
    url: string,
    readonly userId: string,
  ) {
    this.ws = new WebSocket(`${url}/?v=10&encoding=json`);
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data) => {
      const p = JSON.parse(String(data)) as Payload;
      if (p.s !== null && p.s !== undefined) this.#seq = p.s;
      if (p.op === 10) this.#send(2, { token: `token-${userId}`, intents: 1 | 128, properties: { os: 'test' } });
      if (p.op === 1) this.#send(1, this.#seq);
      if (p.op === 0) {
        this.dispatches.push(p);
        for (const listener of this.#listeners) listener(p);
      }
    });
  }

  #send(op: number, d: unknown): void {
    this.ws.send(JSON.stringify({ op, d }));
  }

  onDispatch(listener: (p: Payload) => void): void {
    this.#listeners.add(listener);
  }

  next(t: string, test: (d: Payload['d']) => boolean = () => true, timeoutMs = 10_000): Promise<Payload['d']> {
    const seen = this.dispatches.find((p) => p.t === t && test(p.d));
    if (seen) return Promise.resolve(seen.d);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${t} for user ${this.userId}`)), timeoutMs);
      const listener = (p: Payload) => {
        if (p.t !== t || !test(p.d)) return;
        clearTimeout(timer);
        this.#listeners.delete(listener);
        resolve(p.d);
      };
      this.#listeners.add(listener);
    });
  }

  joinVoice(): void {
    this.#send(4, { guild_id: GUILD, channel_id: VOICE_CHANNEL, self_mute: false, self_deaf: false });
  }
}

/** A user in voice: sends a frame every 20 ms, records when frames from the other user arrive. */
interface Talker {
  user: GatewayUser;
  voice: VoiceClient;
  received: number[];
  endpoints: string[];
  timer: NodeJS.Timeout | undefined;
}

let nodes: NodeProcess[] = [];
let allocator: VoiceNodeAllocator;
let gateway: GatewayServer;
const talkers: Talker[] = [];

beforeAll(async () => {
  nodes = await Promise.all([startNode('voice-a'), startNode('voice-b')]);
  allocator = createVoiceNodeAllocator({
    // Discovery rather than a fixed list: the drain test adds a node.
    discovery: () => nodes.map((n) => n.healthUrl),
    secret: SECRET,
    healthCheckIntervalMs: 200,
    healthTimeoutMs: 200,
    retryAfterMissMs: 50,
    unhealthyAfter: 2,
  });
  await allocator.ready();
  const directory = new InMemoryDirectory();
  const member = (id: string) => ({
    user: { id, username: `user${id}`, discriminator: '0', global_name: null, avatar: null },
    roles: [],
    joined_at: '2020-01-01T00:00:00.000Z',
    deaf: false,
    mute: false,
  });
  directory.addGuild({
    id: GUILD,
    name: 'failover',
    owner_id: '1',
    channels: [
      { id: `${GUILD}1`, type: 0, name: 'general' },
      { id: VOICE_CHANNEL, type: 2, name: 'voice' },
    ],
    // VIEW_CHANNEL | CONNECT | SPEAK: the gateway lets only members with CONNECT join a voice channel.
    roles: [{ id: GUILD, name: '@everyone', permissions: String((1 << 10) | (1 << 20) | (1 << 21)), position: 0 }],
    members: [member('1'), member('2')],
  });
  gateway = await createGatewayServer({
    host: '127.0.0.1',
    port: 0,
    heartbeatInterval: 30_000,
    identifyIntervalMs: 0,
    directory,
    voiceAllocator: allocator,
    authenticate: (token) => {
      const id = /^token-(\d+)$/.exec(token)?.[1];
      return id ? { user: { id, username: `user${id}`, discriminator: '0', global_name: null, avatar: null } } : null;
    },
  });
}, 30_000);

afterAll(async () => {
  for (const t of talkers) {
    if (t.timer) clearInterval(t.timer);
    t.voice.disconnect();
    t.user.ws.close();
  }
  await gateway?.close();
  allocator?.close();
  for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGKILL');
  await Promise.all(
    nodes.map((n) => (n.child.exitCode === null && n.child.signalCode === null ? once(n.child, 'exit') : null)),
  );
});

async function joinAndTalk(userId: string): Promise<Talker> {
  const user = new GatewayUser(gateway.url, userId);
  await user.next('GUILD_CREATE', (d) => d.id === GUILD);
  user.joinVoice();
  const state = await user.next('VOICE_STATE_UPDATE', (d) => d.user_id === userId && d.channel_id === VOICE_CHANNEL);
  const server = await user.next('VOICE_SERVER_UPDATE');
  const voice = new VoiceClient({
    endpoint: server.endpoint,
    token: server.token,
    userId,
    sessionId: state.session_id,
    guildId: GUILD,
    rtcpInterval: 0,
  });
  voice.on('error', () => undefined);
  const talker: Talker = { user, voice, received: [], endpoints: [server.endpoint], timer: undefined };
  // Any VOICE_SERVER_UPDATE from now on means the call moved: follow it.
  user.onDispatch((p) => {
    if (p.t !== 'VOICE_SERVER_UPDATE') return;
    talker.endpoints.push(p.d.endpoint);
    voice.updateServer({ token: p.d.token, endpoint: p.d.endpoint }).catch(() => undefined);
  });
  voice.on('packet', (packet) => {
    if (packet.userId !== userId) talker.received.push(performance.now());
  });
  await voice.connect();
  let n = 0;
  talker.timer = setInterval(() => {
    try {
      // Not an Opus silence frame (those are dropped after five); the SFU does not look inside.
      voice.sendOpus(Buffer.from([0xfc, Number(userId), n++ & 0xff, 0x55, 0xaa]));
    } catch {
      // Between the node's death and the reconnect there is nowhere to send to.
    }
  }, 20);
  talkers.push(talker);
  return talker;
}

describe('voice node failover', () => {
  it('moves a call off a SIGKILLed node: both users get the surviving endpoint and hear each other again', async () => {
    const alice = await joinAndTalk('1');
    const bob = await joinAndTalk('2');
    const hosting = allocator.nodeOf(GUILD, VOICE_CHANNEL);
    const victim = nodes.find((n) => n.id === hosting)!;
    const survivor = nodes.find((n) => n.id !== hosting)!;
    expect(victim).toBeDefined();
    expect(alice.endpoints).toEqual([victim.endpoint]);
    expect(bob.endpoints).toEqual([victim.endpoint]);
    await waitFor(() => alice.received.length >= 10 && bob.received.length >= 10, 10_000, 'audio both ways');

    const killedAt = performance.now();
    victim.child.kill('SIGKILL');
    await waitFor(
      () => alice.received.some((t) => t > killedAt + 5) && bob.received.some((t) => t > killedAt + 5),
      15_000,
      'audio both ways after the failover',
    );
    // Both followed one new VOICE_SERVER_UPDATE to the survivor.
    expect(alice.endpoints).toEqual([victim.endpoint, survivor.endpoint]);
    expect(bob.endpoints).toEqual([victim.endpoint, survivor.endpoint]);
    expect(allocator.nodeOf(GUILD, VOICE_CHANNEL)).toBe(survivor.id);
    expect(allocator.nodes().find((n) => n.id === victim.id)?.state).toBe('down');
    const resumed = (t: Talker) => t.received.find((at) => at > killedAt + 5)! - killedAt;
    const outage = Math.max(resumed(alice), resumed(bob));
    // Printed, not asserted (timing belongs in bench/): detection = probes, then one Identify + IP discovery.
    console.log(
      `[voice failover] outage from SIGKILL to audio again: alice ${resumed(alice).toFixed(0)} ms, bob ${resumed(bob).toFixed(0)} ms (max ${outage.toFixed(0)} ms; health every 200 ms, down after 2 misses, retry 50 ms)`,
    );
    // Packets keep flowing both ways on the new node.
    const a = alice.received.length;
    const b = bob.received.length;
    await waitFor(() => alice.received.length >= a + 10 && bob.received.length >= b + 10, 10_000, 'steady audio');
  }, 30_000);
});

describe('voice node drain (rolling restart)', () => {
  it('moves the call to a new node while the drained one still carries it; the drained node empties', async () => {
    const [alice, bob] = talkers as [Talker, Talker];
    expect(alice && bob).toBeTruthy();
    const replacement = await startNode('voice-c');
    nodes.push(replacement);
    await waitFor(() => allocator.nodes().filter((n) => n.state === 'up').length === 2, 10_000, 'voice-c up');
    const draining = nodes.find((n) => n.id === allocator.nodeOf(GUILD, VOICE_CHANNEL))!;
    expect(draining.id).not.toBe('voice-c');
    const drainedAt = performance.now();
    const before = [alice.endpoints.length, bob.endpoints.length];
    draining.child.kill('SIGUSR2');
    await waitFor(
      () => alice.endpoints.length > before[0]! && bob.endpoints.length > before[1]!,
      10_000,
      'VOICE_SERVER_UPDATE after the drain',
    );
    expect(alice.endpoints.at(-1)).toBe(replacement.endpoint);
    expect(bob.endpoints.at(-1)).toBe(replacement.endpoint);
    const afterUpdate = performance.now();
    await waitFor(
      () => [alice, bob].every((t) => t.received.some((at) => at > afterUpdate + 5)),
      10_000,
      'audio both ways on the new node',
    );
    // Both left the drained node (close 1000 from updateServer): it reports no session any more.
    await waitFor(
      () => allocator.nodes().find((n) => n.id === draining.id)?.status?.sessions === 0,
      10_000,
      'drained node empty',
    );
    expect(allocator.nodeOf(GUILD, VOICE_CHANNEL)).toBe('voice-c');
    const gap = (t: Talker) => {
      // Longest silence between consecutive packets since the drain signal.
      const times = t.received.filter((at) => at > drainedAt);
      let worst = 0;
      for (let i = 1; i < times.length; i++) worst = Math.max(worst, times[i]! - times[i - 1]!);
      return worst;
    };
    console.log(
      `[voice drain] longest audio gap during the move: alice ${gap(alice).toFixed(0)} ms, bob ${gap(bob).toFixed(0)} ms`,
    );
  }, 30_000);
});
