/**
 * Voice node failover: outage seen by two users talking when the node carrying their call gets SIGKILL, from the kill
 * to the first packet received again (both directions, the worse one counts).
 * Ours: health probes with a fast retry after a miss (`retryAfterMissMs` = interval / 4). Baseline: the same probes
 * without it (retry = interval: death confirmed after N whole intervals). Both: probe every 500 ms, down after 3 misses.
 * Real processes on loopback: two voice nodes (respawned after each kill, found through `discovery`), the allocator
 * and both clients in this process (the allocator's `move` re-allocates and calls `updateServer`, as the gateway does).
 * Run: node --expose-gc --import tsx packages/voice/bench/failover.ts [--quick]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { comparison, report } from '@concord/bench-kit';
import { VoiceClient } from '../src/client/VoiceClient.js';
import { createVoiceNodeAllocator } from '../src/cluster/index.js';

const SECRET = 'bench-secret';
const FIXTURE = fileURLToPath(new URL('../__tests__/fixtures/voice-node.ts', import.meta.url));
const KILLS = process.argv.includes('--quick') ? 2 : 4;

interface NodeProcess {
  id: string;
  child: ChildProcess;
  healthUrl: string;
}

let spawned = 0;
async function startNode(): Promise<NodeProcess> {
  const id = `voice-${++spawned}`;
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, id, 'local', SECRET], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      if (buffered.includes('\n')) resolve(buffered.slice(0, buffered.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`${id} exited with ${code}`)));
  });
  return { id, child, healthUrl: (JSON.parse(line) as { healthUrl: string }).healthUrl };
}

function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = performance.now() + timeoutMs;
    const tick = () => {
      if (condition()) resolve();
      else if (performance.now() > deadline) reject(new Error(`timed out: ${what}`));
      else setTimeout(tick, 2);
    };
    tick();
  });
}

interface Run {
  outages: number[];
  detections: number[];
}

async function measure(retryAfterMissMs: number): Promise<Run> {
  const nodes = await Promise.all([startNode(), startNode()]);
  const allocator = createVoiceNodeAllocator({
    discovery: () => nodes.map((n) => n.healthUrl),
    secret: SECRET,
    healthCheckIntervalMs: 500,
    healthTimeoutMs: 250,
    retryAfterMissMs,
    unhealthyAfter: 3,
    healthyAfter: 1,
  });
  await allocator.ready();
  const users = ['1', '2'];
  const received = new Map<string, number[]>(users.map((u) => [u, []]));
  const clients = new Map<string, VoiceClient>();
  for (const userId of users) {
    const request = { guildId: 'g', channelId: 'c', userId, sessionId: `s${userId}` };
    const { token, endpoint } = await allocator.allocate(request);
    const client = new VoiceClient({ endpoint: endpoint!, token, userId, sessionId: request.sessionId, guildId: 'g' });
    client.on('error', () => undefined);
    client.on('packet', (p) => {
      if (p.userId !== userId) received.get(userId)!.push(performance.now());
    });
    await client.connect();
    clients.set(userId, client);
  }
  let downAt = 0;
  allocator.on('nodeDown', () => {
    downAt = performance.now();
  });
  allocator.on('move', (move) => {
    for (const member of move.members) {
      void allocator.allocate({ guildId: move.guildId, channelId: move.channelId, ...member }).then((a) =>
        clients
          .get(member.userId)
          ?.updateServer(a)
          .catch(() => undefined),
      );
    }
  });
  let frame = 0;
  const talk = setInterval(() => {
    frame++;
    for (const [userId, client] of clients) {
      try {
        client.sendOpus(Buffer.from([0xfc, Number(userId), frame & 0xff, 0x55]));
      } catch {
        // between the kill and the reconnect
      }
    }
  }, 20);
  const run: Run = { outages: [], detections: [] };
  try {
    for (let k = 0; k < KILLS; k++) {
      const since = performance.now();
      await until(
        () => users.every((u) => received.get(u)!.filter((t) => t > since).length >= 25),
        10_000,
        'audio both ways',
      );
      const hosting = allocator.nodeOf('g', 'c');
      const victim = nodes.find((n) => n.id === hosting)!;
      const killedAt = performance.now();
      victim.child.kill('SIGKILL');
      await until(
        () => users.every((u) => received.get(u)!.some((t) => t > killedAt + 5)),
        15_000,
        'audio after failover',
      );
      run.outages.push(Math.max(...users.map((u) => received.get(u)!.find((t) => t > killedAt + 5)! - killedAt)));
      run.detections.push(downAt - killedAt);
      // A replacement joins through discovery, so the next kill has a survivor.
      nodes.splice(nodes.indexOf(victim), 1, await startNode());
      await until(() => allocator.nodes().filter((n) => n.state === 'up').length === 2, 10_000, 'replacement up');
    }
  } finally {
    clearInterval(talk);
    for (const client of clients.values()) client.disconnect();
    allocator.close();
    for (const n of nodes) n.child.kill('SIGKILL');
    await Promise.all(nodes.map((n) => (n.child.exitCode === null ? once(n.child, 'exit') : null)));
  }
  return run;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const ours = await measure(125);
const baseline = await measure(500);
report(
  'Voice node failover (SIGKILL → audio again, 2 users, probes every 500 ms, down after 3 misses)',
  [
    comparison('voice.failover.outage', 'ms', median(ours.outages), median(baseline.outages), 'no-fast-retry', true),
    comparison(
      'voice.failover.detection',
      'ms',
      median(ours.detections),
      median(baseline.detections),
      'no-fast-retry',
      true,
    ),
  ],
  [
    `outages ours ${ours.outages.map((x) => x.toFixed(0)).join(', ')} ms; baseline ${baseline.outages.map((x) => x.toFixed(0)).join(', ')} ms`,
    `detection (kill → node down) ours ${ours.detections.map((x) => x.toFixed(0)).join(', ')} ms; baseline ${baseline.detections.map((x) => x.toFixed(0)).join(', ')} ms`,
    'outage − detection = VOICE_SERVER_UPDATE + Identify + IP discovery + Select Protocol on the survivor',
  ],
);
process.exit(0);
