// Proximity voice on a 50-player map (issue #20): the SFU with audibility culling (a positional room: a speaker's
// packets go only to listeners within range) against the same SFU forwarding everything (a plain room), on the same
// players, speakers and packets. Players walk a 400 m × 400 m map at 5 m/s and their positions are updated every
// other 20 ms frame (25 Hz, a game's tick) through the position path a game server uses; 10 of the 50 speak, one Opus
// frame every 20 ms each; hearing range 50 m. AES-GCM, the real receive path (decrypt once, seal per listener).
// Run: node --expose-gc --import tsx packages/voice/bench/proximity.ts [--quick]
import { type Comparison, compareOps, comparison, report } from '@concord/bench-kit';
import { jsBackend, sodiumBackend } from '../src/crypto/backends.js';
import { generateSecretKey, PacketCipher } from '../src/crypto/PacketCipher.js';
import { buildRtpHeader } from '../src/rtp/RtpHeader.js';
import { Sfu, type SfuMember } from '../src/server/Sfu.js';

const quick = process.argv.includes('--quick');
const timing = quick ? { rounds: 3, timeMs: 150, warmupMs: 100 } : { rounds: 5, timeMs: 300, warmupMs: 200 };
const PLAYERS = 50;
const SPEAKERS = 10;
const MAP_M = 400;
const RANGE_M = 50;
const SPEED_M_PER_S = 5;
const FRAME_MS = 20;
/** Positions are updated every other frame: 25 Hz. */
const UPDATE_EVERY = 2;
const MODE = 'aead_aes256_gcm_rtpsize';
const OPUS_FRAME = Buffer.alloc(160, 0x5c);
const RING = 512;
const backend = sodiumBackend ?? jsBackend;

/** A deterministic walk: the same map for both SFUs and every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface World {
  sfu: Sfu;
  members: SfuMember[];
  speakers: { member: SfuMember; packets: Buffer[]; port: number }[];
  bytes: { sent: number };
  walk: { x: number; y: number; heading: number }[];
  rnd: () => number;
  frame: number;
}

function world(culling: boolean): World {
  const bytes = { sent: 0 };
  const sfu = new Sfu((packet) => {
    bytes.sent += packet.length;
  });
  if (culling) sfu.setPositional('map', { range: RANGE_M, rolloffModel: 'inverse', refDistance: 5 });
  const rnd = random(20_26);
  const members: SfuMember[] = [];
  const speakers: World['speakers'] = [];
  const walk: World['walk'] = [];
  for (let i = 0; i < PLAYERS; i++) {
    const key = generateSecretKey();
    const member: SfuMember = {
      userId: `p${i}`,
      ssrc: i + 1,
      room: 'map',
      mode: MODE,
      // The bench replays a ring of packets, so the speaker's replay window is off (a few compares per packet).
      cipher: new PacketCipher(MODE, key, { backend, replayProtection: false }),
      remote: null,
      muted: false,
      deafened: false,
      silenceRun: 0,
    };
    sfu.add(member);
    sfu.bindRemote(member, '10.0.0.1', 20_000 + i);
    members.push(member);
    walk.push({ x: rnd() * MAP_M, y: rnd() * MAP_M, heading: rnd() * 2 * Math.PI });
    if (i < SPEAKERS) {
      const tx = new PacketCipher(MODE, key, { backend });
      const packets = Array.from({ length: RING }, (_, n) =>
        tx.seal(buildRtpHeader({ sequence: n, timestamp: n * 960, ssrc: member.ssrc }), OPUS_FRAME),
      );
      speakers.push({ member, packets, port: 20_000 + i });
    }
  }
  const w = { sfu, members, speakers, bytes, walk, rnd, frame: 0 };
  move(w);
  return w;
}

/** One position update of every player (what a game server sends per tick). */
function move(w: World): void {
  const step = (SPEED_M_PER_S * FRAME_MS * UPDATE_EVERY) / 1000;
  for (let i = 0; i < PLAYERS; i++) {
    const p = w.walk[i]!;
    p.heading += (w.rnd() - 0.5) * 0.6;
    p.x += Math.cos(p.heading) * step;
    p.y += Math.sin(p.heading) * step;
    if (p.x < 0 || p.x > MAP_M) p.heading = Math.PI - p.heading;
    if (p.y < 0 || p.y > MAP_M) p.heading = -p.heading;
    p.x = Math.min(MAP_M, Math.max(0, p.x));
    p.y = Math.min(MAP_M, Math.max(0, p.y));
    w.members[i]!.position = { x: p.x, y: p.y, yaw: p.heading };
  }
}

/** One 20 ms frame: a position tick every other frame, then one packet from every speaker. */
function frame(w: World, positions: boolean): void {
  if (positions && w.frame % UPDATE_EVERY === 0) move(w);
  const at = w.frame++ & (RING - 1);
  for (const s of w.speakers) w.sfu.handle(s.packets[at]!, '10.0.0.1', s.port);
}

// Bandwidth: the same 60 s of play through both, counted exactly.
const SECONDS = quick ? 20 : 60;
const frames = (SECONDS * 1000) / FRAME_MS;
const culled = world(true);
const everything = world(false);
for (let f = 0; f < frames; f++) {
  frame(culled, true);
  frame(everything, true);
}
const kbps = (w: World) => (w.bytes.sent * 8) / 1000 / SECONDS;
const heardPerPacket = culled.sfu.stats.forwarded / (frames * SPEAKERS);

// CPU: interleaved rounds, one call = one frame (10 incoming packets), positions included on ours' side.
const ours = world(true);
const baseline = world(false);
const rows: Comparison[] = [
  comparison(
    'voice.proximity.bandwidth',
    `kbit/s sent to listeners (${PLAYERS} players, ${SPEAKERS} speaking, range ${RANGE_M} m)`,
    kbps(culled),
    kbps(everything),
    'forwarding to every player',
    true,
  ),
  compareOps({
    bench: 'voice.proximity.forward',
    against: 'forwarding to every player',
    ours: () => frame(ours, true),
    baseline: () => frame(baseline, false),
    opsPerCall: SPEAKERS,
    ...timing,
  }),
];
report('Proximity voice: audibility culling vs forwarding to every player', rows, [
  `${heardPerPacket.toFixed(1)} of ${PLAYERS - 1} listeners hear a packet on average (range ${RANGE_M} m on ${MAP_M} m × ${MAP_M} m)`,
  `over ${SECONDS} s of play: ${(culled.bytes.sent / 1e6).toFixed(1)} MB sent with culling, ${(everything.bytes.sent / 1e6).toFixed(1)} MB without; dropped out of range ${culled.sfu.stats.dropped.outOfRange}`,
  'forward: incoming packets per second of one core, positions (50 players at 25 Hz) included on ours',
]);
