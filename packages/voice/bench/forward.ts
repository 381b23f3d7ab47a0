// SFU forwarding throughput: one speaker → N listeners per room, each listener with its own key and nonce counter.
// Run: node --expose-gc --import tsx packages/voice/bench/forward.ts [--quick] [--udp-only]
// Section 6 (real UDP, forwarder in its own process) reads FORWARD_UDP_LISTENERS (50), FORWARD_UDP_RATE (incoming
// packets/s, 1000) and FORWARD_UDP_MS (measured window per variant, 2000; 1500 with --quick).
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { type Comparison, compareOps, comparison, report } from '@concord/bench-kit';
import { WebSocket } from 'ws';
import { type CryptoBackend, jsBackend, sodiumBackend } from '../src/crypto/backends.js';
import { ENCRYPTION_MODES, type EncryptionMode } from '../src/crypto/modes.js';
import { generateSecretKey, PacketCipher } from '../src/crypto/PacketCipher.js';
import { buildRtpHeader } from '../src/rtp/RtpHeader.js';
import { Sfu, type SfuMember } from '../src/server/Sfu.js';
import { createVoiceServer } from '../src/server/VoiceServer.js';
import { buildIpDiscoveryRequest } from '../src/udp/ipDiscovery.js';
import { JsonLineChild } from './tools/jsonLineChild.js';

const quick = process.argv.includes('--quick');
/** Only the real-UDP lines of section 6 (they take most of the time). */
const udpOnly = process.argv.includes('--udp-only');
const timing = quick ? { rounds: 3, timeMs: 100, warmupMs: 100 } : { rounds: 5, timeMs: 200, warmupMs: 150 };
/** LiveKit's published figure for audio forwarding per CPU core; a reference point, not measured here. */
const LIVEKIT_REPORTED_60K = 60_000;
/** A typical Opus voice frame at 64 kbit/s is ~160 bytes; Discord clients add a 8-byte one-byte-header extension. */
const OPUS_FRAME = Buffer.alloc(160, 0x5c);
const EXTENSION = { profile: 0xbede, body: Buffer.from([0x10, 0x7f, 0x00, 0x00, 0x51, 0x00, 0x00, 0x00]) };
const RING = 1024;

let sent = 0;
const noopSend = (packet: Buffer) => {
  sent += packet.length;
};

interface Setup {
  sfu: Sfu;
  speakers: { member: SfuMember; packets: Buffer[] }[];
  listeners: SfuMember[][];
}

function makeMember(userId: string, ssrc: number, room: string, mode: EncryptionMode, backend: CryptoBackend) {
  const m: SfuMember = {
    userId,
    ssrc,
    room,
    mode,
    // The benchmark replays a ring of packets, so the speaker's replay window is off (its cost is a few compares).
    cipher: new PacketCipher(mode, generateSecretKey(), { backend, replayProtection: false }),
    remote: null,
    muted: false,
    deafened: false,
    silenceRun: 0,
  };
  return m;
}

function setup(mode: EncryptionMode, listeners: number, rooms: number, backend: CryptoBackend): Setup {
  const sfu = new Sfu(noopSend);
  const speakers: Setup['speakers'] = [];
  const all: SfuMember[][] = [];
  let ssrc = 1;
  for (let r = 0; r < rooms; r++) {
    const room = `room${r}`;
    const key = generateSecretKey();
    const speaker = makeMember(`s${r}`, ssrc++, room, mode, backend);
    speaker.cipher = new PacketCipher(mode, key, { backend, replayProtection: false });
    sfu.add(speaker);
    sfu.bindRemote(speaker, '10.0.0.1', 10_000 + r);
    const tx = new PacketCipher(mode, key, { backend });
    const packets = Array.from({ length: RING }, (_, i) =>
      tx.seal(
        buildRtpHeader({ sequence: i, timestamp: i * 960, ssrc: speaker.ssrc, extension: EXTENSION }),
        OPUS_FRAME,
      ),
    );
    speakers.push({ member: speaker, packets });
    const roomListeners: SfuMember[] = [];
    for (let l = 0; l < listeners; l++) {
      const listener = makeMember(`l${r}-${l}`, ssrc++, room, mode, backend);
      sfu.add(listener);
      sfu.bindRemote(listener, '10.0.1.1', 20_000 + ssrc);
      roomListeners.push(listener);
    }
    all.push(roomListeners);
  }
  return { sfu, speakers, listeners: all };
}

/** Ours: the SFU's real path (parse, route, decrypt once, seal per listener, send). One call = one packet per room. */
function oursFn(s: Setup): () => void {
  let i = 0;
  return () => {
    const at = i++ & (RING - 1);
    for (const [r, sp] of s.speakers.entries()) s.sfu.handle(sp.packets[at]!, '10.0.0.1', 10_000 + r);
  };
}

/**
 * Naive SFU: no shared decrypted frame — for every listener it re-parses and re-decrypts the incoming packet, copies
 * the header and payload into fresh buffers, then seals. What a straightforward per-connection relay does.
 */
function naiveFn(s: Setup): () => void {
  let i = 0;
  return () => {
    const at = i++ & (RING - 1);
    for (const [r, sp] of s.speakers.entries()) {
      for (const listener of s.listeners[r]!) {
        const opened = sp.member.cipher!.open(sp.packets[at]!);
        const header = Buffer.from(opened.header);
        const payload = Buffer.from(opened.payload);
        noopSend(listener.cipher!.seal(header, payload));
      }
    }
  };
}

const rows: Comparison[] = [];
const notes: string[] = [];

// 1. Ours vs naive, per mode and fan-out, one room.
if (!udpOnly)
  for (const mode of ENCRYPTION_MODES) {
    for (const n of quick ? [10] : [1, 10, 50]) {
      const s = setup(mode, n, 1, sodiumBackend ?? jsBackend);
      rows.push(
        compareOps({
          bench: `voice.forward.${mode}.n${n}`,
          against: 'naive-decrypt-per-listener',
          ours: oursFn(s),
          baseline: naiveFn(s),
          opsPerCall: n,
          ...timing,
        }),
      );
    }
  }

// 2. Many rooms at once (cache pressure, map lookups): AES-GCM, 10 rooms × 10 listeners.
if (!udpOnly) {
  const s = setup('aead_aes256_gcm_rtpsize', 10, 10, jsBackend);
  const r = compareOps({
    bench: 'voice.forward.aead_aes256_gcm_rtpsize.rooms10.n10',
    against: 'naive-decrypt-per-listener',
    ours: oursFn(s),
    baseline: naiveFn(s),
    opsPerCall: 100,
    ...timing,
  });
  rows.push(r);
}

// 3. Native vs pure-JS crypto for the libsodium modes (10 listeners).
if (udpOnly) {
} else if (sodiumBackend) {
  for (const mode of ENCRYPTION_MODES.filter((m) => m !== 'aead_aes256_gcm_rtpsize')) {
    const native = setup(mode, 10, 1, sodiumBackend);
    const js = setup(mode, 10, 1, jsBackend);
    rows.push(
      compareOps({
        bench: `voice.forward.${mode}.n10.backend`,
        against: 'tweetnacl/@noble (pure JS)',
        ours: oursFn(native),
        baseline: oursFn(js),
        opsPerCall: 10,
        ...timing,
      }),
    );
  }
} else notes.push('sodium-native not installed: native-vs-JS rows skipped');

/**
 * Forwarded packets per CPU-second of this process (user + system), so a shared, loaded machine does not hide what
 * one core does. Interleaves ours and the bare-crypto ceiling like compareOps.
 */
function perCpuSecond(fn: () => void, opsPerCall: number, cpuMs: number): number {
  const start = process.cpuUsage();
  let calls = 0;
  let used = 0;
  while (used < cpuMs * 1000) {
    for (let i = 0; i < 16; i++) fn();
    calls += 16;
    const u = process.cpuUsage(start);
    used = u.user + u.system;
  }
  return (calls * opsPerCall * 1e6) / used;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** The floor cost: sealing the same frame N times with node:crypto and nothing else (no parse, routing, decrypt). */
function bareSealFn(s: Setup): () => void {
  let i = 0;
  return () => {
    const at = i++ & (RING - 1);
    const opened = s.speakers[0]!.member.cipher!.open(s.speakers[0]!.packets[at]!);
    for (const listener of s.listeners[0]!) noopSend(listener.cipher!.seal(opened.header, opened.payload));
  };
}

// 4. Per CPU-second, every mode, 50 listeners; AES-GCM also against its bare node:crypto seal loop.
for (const mode of udpOnly ? [] : quick ? (['aead_aes256_gcm_rtpsize'] as const) : ENCRYPTION_MODES) {
  const n = 50;
  const s = setup(mode, n, 1, sodiumBackend ?? jsBackend);
  const ours = oursFn(s);
  const bare = bareSealFn(s);
  const o: number[] = [];
  const b: number[] = [];
  perCpuSecond(ours, n, 100);
  for (let r = 0; r < timing.rounds; r++) {
    o.push(perCpuSecond(ours, n, timing.timeMs));
    if (mode === 'aead_aes256_gcm_rtpsize') b.push(perCpuSecond(bare, n, timing.timeMs));
  }
  const cpuOurs = median(o);
  rows.push(
    comparison(
      `voice.forward.${mode}.n${n}.cpu`,
      'packets/cpu-s',
      cpuOurs,
      LIVEKIT_REPORTED_60K,
      'livekit-reported-60k',
    ),
  );
  if (b.length > 0) {
    rows.push(
      comparison(`voice.forward.${mode}.n${n}.cpu.overhead`, 'packets/cpu-s', cpuOurs, median(b), 'bare-seal-loop'),
    );
  }
}

// 5. End to end over UDP loopback: a real server, one speaker and N listeners as raw sockets in this process.
async function udpMember(server: Awaited<ReturnType<typeof createVoiceServer>>, userId: string, mode: EncryptionMode) {
  const { port, udpPort } = server.address();
  const { token } = server.allocate({ guildId: 'g', channelId: 'c', userId, sessionId: userId });
  const ws = new WebSocket(`ws://127.0.0.1:${port}/?v=8`);
  const inbox: { op: number; d: Record<string, unknown> }[] = [];
  ws.on('message', (m) => inbox.push(JSON.parse(String(m))));
  await once(ws, 'open');
  const next = async (op: number) => {
    for (;;) {
      const found = inbox.find((m) => m.op === op);
      if (found) return found.d;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  ws.send(JSON.stringify({ op: 0, d: { server_id: 'g', user_id: userId, session_id: userId, token } }));
  const ssrc = (await next(2)).ssrc as number;
  const udp: Socket = createSocket('udp4');
  let received = 0;
  udp.on('message', () => received++);
  udp.bind(0, '127.0.0.1');
  await once(udp, 'listening');
  udp.send(buildIpDiscoveryRequest(ssrc), udpPort, '127.0.0.1');
  await once(udp, 'message');
  ws.send(JSON.stringify({ op: 1, d: { protocol: 'udp', data: { address: '127.0.0.1', port: 1, mode } } }));
  const key = Uint8Array.from((await next(4)).secret_key as number[]);
  return { ws, udp, ssrc, key, udpPort, received: () => received };
}

async function endToEnd(mode: EncryptionMode, n: number, ms: number): Promise<{ wall: number; cpu: number }> {
  const server = await createVoiceServer({ heartbeatInterval: 60_000 });
  const speaker = await udpMember(server, 'speaker', mode);
  const listeners = [];
  for (let i = 0; i < n; i++) listeners.push(await udpMember(server, `l${i}`, mode));
  const tx = new PacketCipher(mode, speaker.key);
  let seq = 0;
  const startWall = performance.now();
  const startCpu = process.cpuUsage();
  const deadline = startWall + ms;
  while (performance.now() < deadline) {
    // Small bursts, then yield so the server and the listeners' sockets drain (the kernel drops on overflow).
    for (let i = 0; i < 8; i++) {
      const header = buildRtpHeader({
        sequence: seq & 0xffff,
        timestamp: seq * 960,
        ssrc: speaker.ssrc,
        extension: EXTENSION,
      });
      seq++;
      speaker.udp.send(tx.seal(header, OPUS_FRAME), speaker.udpPort, '127.0.0.1');
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  const cpu = process.cpuUsage(startCpu);
  const wallS = (performance.now() - startWall) / 1000;
  const got = listeners.reduce((sum, l) => sum + l.received(), 0);
  for (const m of [speaker, ...listeners]) {
    m.ws.close();
    m.udp.close();
  }
  await server.close();
  return { wall: got / wallS, cpu: (got * 1e6) / (cpu.user + cpu.system) };
}

if (!udpOnly) {
  const n = 10;
  const mode = 'aead_aes256_gcm_rtpsize' as const;
  const e2e = await endToEnd(mode, n, quick ? 1000 : 3000);
  const s = setup(mode, n, 1, jsBackend);
  perCpuSecond(oursFn(s), n, 100);
  const inProcess = perCpuSecond(oursFn(s), n, 500);
  rows.push(
    comparison(`voice.forward.udp.${mode}.n${n}.cpu`, 'packets/cpu-s', e2e.cpu, inProcess, 'in-process-handle'),
  );
  notes.push(
    `udp: ${Math.round(e2e.wall)} packets/s received by ${n} listener sockets (wall clock); cpu-s includes the sender and receivers' syscalls`,
  );
}

// 6. Real UDP, the forwarder alone in its own process (bench/tools/udpForwarder.ts), 50 listeners and a paced speaker in
// another (bench/tools/udpPeers.ts): forwarded packets per CPU-second of the forwarding process, batched (sendmmsg +
// sealing into the batch) vs the path without the native module, a bare send loop and the in-process figure.
const UDP_LISTENERS = Number(process.env.FORWARD_UDP_LISTENERS ?? 50);
/** Incoming packets per second offered to the forwarder (× listeners forwarded): the same for every variant. */
const UDP_RATE = Number(process.env.FORWARD_UDP_RATE ?? 1000);
const UDP_MS = Number(process.env.FORWARD_UDP_MS ?? (quick ? 1500 : 2000));
const tools = new URL('./tools/', import.meta.url);

interface UdpRun {
  perCpuS: number;
  /** Share of the forwarder's CPU spent in the kernel (sendmmsg/sendmsg, loopback delivery, receive). */
  kernel: number;
  forwarded: number;
  delivered: number;
  bare?: number;
}

async function udpRun(mode: EncryptionMode, variant: 'batched' | 'plain', bare: boolean): Promise<UdpRun> {
  const hide = variant === 'plain' ? ['--require', new URL('hideUdpBatch.cjs', tools).pathname] : [];
  const forwarder = new JsonLineChild(new URL('udpForwarder.ts', tools), [variant], hide);
  const peers = new JsonLineChild(new URL('udpPeers.ts', tools));
  try {
    const { port, udpPort } = (await forwarder.next()) as { port: number; udpPort: number };
    const users = ['speaker', ...Array.from({ length: UDP_LISTENERS }, (_, i) => `l${i + 1}`)];
    const { tokens } = (await forwarder.ask({ type: 'allocate', users })) as { tokens: string[] };
    const { ports } = (await peers.ask({ type: 'join', port, udpPort, mode, tokens })) as { ports: number[] };
    await peers.ask({ type: 'send', mode, rate: UDP_RATE });
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, UDP_MS / 2)));
    type Mark = { cpuUs: number; systemUs: number; forwarded: number };
    const a = (await forwarder.ask({ type: 'mark' })) as Mark;
    const ra = (await peers.ask({ type: 'count' })) as { received: number };
    await new Promise((resolve) => setTimeout(resolve, UDP_MS));
    const b = (await forwarder.ask({ type: 'mark' })) as Mark;
    const rb = (await peers.ask({ type: 'stop' })) as { received: number };
    const forwarded = b.forwarded - a.forwarded;
    const run: UdpRun = {
      perCpuS: (forwarded * 1e6) / (b.cpuUs - a.cpuUs),
      kernel: (b.systemUs - a.systemUs) / (b.cpuUs - a.cpuUs),
      forwarded,
      delivered: (rb.received - ra.received) / Math.max(1, forwarded),
    };
    if (bare) {
      const r = (await forwarder.ask({ type: 'bare', ports, ms: UDP_MS, size: 204 })) as {
        sent: number;
        cpuUs: number;
      };
      run.bare = (r.sent * 1e6) / r.cpuUs;
    }
    return run;
  } finally {
    await Promise.all([forwarder.exit(), peers.exit()]);
  }
}

for (const mode of ['aead_aes256_gcm_rtpsize', 'aead_xchacha20_poly1305_rtpsize'] as const) {
  const n = UDP_LISTENERS;
  const ours = await udpRun(mode, 'batched', true);
  const plain = await udpRun(mode, 'plain', false);
  const s = setup(mode, n, 1, sodiumBackend ?? jsBackend);
  perCpuSecond(oursFn(s), n, 100);
  const inProcess = perCpuSecond(oursFn(s), n, 500);
  const name = `voice.forward.udp.${mode}.n${n}.cpu`;
  rows.push(comparison(name, 'packets/cpu-s', ours.perCpuS, ours.bare!, 'bare-send-loop'));
  rows.push(comparison(`${name}.unbatched`, 'packets/cpu-s', ours.perCpuS, plain.perCpuS, 'unbatched-socket-send'));
  rows.push(comparison(`${name}.inprocess`, 'packets/cpu-s', ours.perCpuS, inProcess, 'in-process-handle'));
  rows.push(comparison(`${name}.goal`, 'packets/cpu-s', ours.perCpuS, 100_000, 'goal-100k'));
  notes.push(
    `udp ${mode} n${n}: ${UDP_RATE} packets/s offered; forwarded ${ours.forwarded} (batched) / ${plain.forwarded} (unbatched) in ${UDP_MS} ms; listeners got ${(ours.delivered * 100).toFixed(1)} % / ${(plain.delivered * 100).toFixed(1)} %; kernel share of the forwarder's CPU ${(ours.kernel * 100).toFixed(0)} % / ${(plain.kernel * 100).toFixed(0)} %`,
  );
}
notes.push(
  'voice.forward.udp.*.n50.cpu*: CPU of the forwarding process only (its own process); listeners in another process. ' +
    'bare-send-loop: one socket.send per datagram, no crypto, no receive; unbatched-socket-send: the same server without ' +
    'the native module (one socket.send per datagram, node:crypto AES-GCM); in-process-handle: Sfu.handle with a no-op send',
);

notes.push('ops/s = forwarded packets per second (one decrypt per incoming packet, one seal + send per listener)');
notes.push(
  `${OPUS_FRAME.length}-byte Opus payload + 8-byte RTP extension; send() is a no-op; crypto backend: ${sodiumBackend ? 'sodium-native' : 'js'}`,
);
notes.push('packets/cpu-s: forwarded packets per CPU-second of this process (immune to other load on the machine)');
notes.push('bare-seal-loop: decrypt once + seal N times with no routing; ratio near 1 = SFU overhead is negligible');
notes.push(
  "livekit-reported-60k: LiveKit's published ~60k audio packets/s per core (reference constant, not measured here)",
);
report('@concord/voice SFU forwarding (in-process, one core; section 6 over real UDP)', rows, notes);
if (sent < 0) console.log(sent);
