// SFU video forwarding throughput: one simulcast sender (3 layers) → N receivers, each with its own key, nonce counter,
// layer choice and sequence/timestamp rewriting. Rows: video packets forwarded per CPU-second of this process, against
// a bare forward loop (route the wanted layer, decrypt once, copy + rewrite the header, seal per receiver: no layer
// selection, keyframe detection, bitrate measurement or retransmission cache) and against LiveKit's published cost.
// Run: node --expose-gc --import tsx packages/voice/bench/video.ts [--quick]
import { type Comparison, comparison, report } from '@concord/bench-kit';
import { type CryptoBackend, jsBackend, sodiumBackend } from '../src/crypto/backends.js';
import { ENCRYPTION_MODES, type EncryptionMode } from '../src/crypto/modes.js';
import { generateSecretKey, PacketCipher } from '../src/crypto/PacketCipher.js';
import { buildRtpHeader } from '../src/rtp/RtpHeader.js';
import { Sfu, type SfuMember } from '../src/server/Sfu.js';
import { MemberVideo } from '../src/video/MemberVideo.js';

const quick = process.argv.includes('--quick');
const rounds = quick ? 3 : 5;
const roundMs = quick ? 150 : 300;
/**
 * LiveKit's published cost of forwarding one video packet to one down track: "~50µs per down track" (encrypt and
 * write), i.e. ~20k packets per CPU-second on one core — blog.livekit.io "Going beyond a single-core"
 * (https://blog.livekit.io/going-beyond-a-single-core-4a464d20d17a). A reference constant, not measured here.
 */
const LIVEKIT_PUBLISHED_PER_CORE = 20_000;
/** Packets per frame and payload bytes of each layer (a 720p/360p/180p camera at 30 fps, ~1.7 M/480 k/100 kbit/s). */
const LAYERS = [
  { rid: '100', quality: 100, packets: 6, size: 1200 },
  { rid: '50', quality: 50, packets: 2, size: 1000 },
  { rid: '25', quality: 25, packets: 1, size: 400 },
];
const FRAMES = 64;
const VP8 = 103;

let sent = 0;
const noopSend = (packet: Buffer) => {
  sent += packet.length;
};

interface Setup {
  sfu: Sfu;
  sender: SfuMember;
  receivers: SfuMember[];
  /** Sealed packets as the sender's client sends them: every layer, frame by frame (keyframes in frame 0). */
  ring: Buffer[];
  /** Which of them are layer 0 (what every receiver gets: nobody sent REMB). */
  top: boolean[];
}

function member(userId: string, ssrc: number, mode: EncryptionMode, backend: CryptoBackend, key: Uint8Array) {
  const m: SfuMember = {
    userId,
    ssrc,
    room: 'room',
    mode,
    // The ring is replayed: the sender's replay window is off (its cost is a few compares).
    cipher: new PacketCipher(mode, key, { backend, replayProtection: false }),
    remote: null,
    muted: false,
    deafened: false,
    silenceRun: 0,
    video: null,
  };
  return m;
}

function setup(mode: EncryptionMode, n: number, backend: CryptoBackend): Setup {
  const sfu = new Sfu(noopSend);
  const key = generateSecretKey();
  const sender = member('sender', 1, mode, backend, key);
  sender.video = new MemberVideo(
    LAYERS.map((l, i) => ({ type: 'video' as const, rid: l.rid, quality: l.quality, ssrc: 10 + i, rtxSsrc: 20 + i })),
  );
  sfu.add(sender);
  sfu.bindRemote(sender, '10.0.0.1', 10_000);
  const layers = sender.video.layers;
  sfu.video.announce(sender, {
    audio_ssrc: 1,
    video_ssrc: layers[0]!.ssrc,
    rtx_ssrc: layers[0]!.rtxSsrc,
    streams: layers.map((l) => ({
      type: 'video',
      rid: l.rid,
      ssrc: l.ssrc,
      rtx_ssrc: l.rtxSsrc,
      active: true,
      quality: l.quality,
    })),
  });
  const receivers: SfuMember[] = [];
  for (let i = 0; i < n; i++) {
    const r = member(`r${i}`, 100 + i, mode, backend, generateSecretKey());
    sfu.add(r);
    sfu.bindRemote(r, '10.0.1.1', 20_000 + i);
    receivers.push(r);
  }
  const tx = new PacketCipher(mode, key, { backend });
  const ring: Buffer[] = [];
  const top: boolean[] = [];
  const seq = [0, 0, 0];
  for (let f = 0; f < FRAMES; f++) {
    LAYERS.forEach((l, i) => {
      for (let p = 0; p < l.packets; p++) {
        const payload = Buffer.alloc(l.size, 0x5a);
        payload[0] = p === 0 ? 0x10 : 0x00;
        payload[1] = f === 0 ? 0x00 : 0x01;
        const header = buildRtpHeader({
          sequence: seq[i]!++,
          timestamp: f * 3000,
          ssrc: layers[i]!.ssrc,
          payloadType: VP8,
          marker: p === l.packets - 1,
        });
        ring.push(tx.seal(header, payload));
        top.push(i === 0);
      }
    });
  }
  return { sfu, sender, receivers, ring, top };
}

/** Ours: the real path (parse, route, decrypt, cache, keyframe check, layer choice per receiver, rewrite, seal). */
function oursFn(s: Setup): () => void {
  let i = 0;
  return () => {
    s.sfu.handle(s.ring[i]!, '10.0.0.1', 10_000);
    i = (i + 1) % s.ring.length;
  };
}

/** The floor: forward the wanted layer only, decrypt once, copy + rewrite the header and seal per receiver. */
function bareFn(s: Setup): () => void {
  let i = 0;
  const topSsrc = s.sender.video!.layers[0]!.ssrc;
  return () => {
    const packet = s.ring[i]!;
    i = (i + 1) % s.ring.length;
    if (packet.readUInt32BE(8) !== topSsrc) return;
    const opened = s.sender.cipher!.open(packet);
    for (const r of s.receivers) {
      const header = Buffer.allocUnsafe(opened.header.length);
      opened.header.copy(header);
      header.writeUInt16BE(opened.sequence, 2);
      header.writeUInt32BE(topSsrc, 8);
      noopSend(r.cipher!.seal(header, opened.payload));
    }
  };
}

/** Forwarded video packets per CPU-second (user + system) while calling `fn`; `forwarded()` counts what went out. */
function perCpuSecond(fn: () => void, forwarded: () => number, cpuMs: number): number {
  const start = process.cpuUsage();
  const before = forwarded();
  let used = 0;
  while (used < cpuMs * 1000) {
    for (let k = 0; k < 64; k++) fn();
    const u = process.cpuUsage(start);
    used = u.user + u.system;
  }
  return ((forwarded() - before) * 1e6) / used;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

const rows: Comparison[] = [];
const backend = sodiumBackend ?? jsBackend;
for (const mode of quick ? (['aead_aes256_gcm_rtpsize'] as const) : ENCRYPTION_MODES) {
  for (const n of quick ? [10] : [10, 50]) {
    const s = setup(mode, n, backend);
    const ours = oursFn(s);
    const bare = bareFn(s);
    // The bare loop's forwarded count: layer-0 packets × receivers, counted by position in the ring.
    let bareForwarded = 0;
    let at = 0;
    const bareCounted = () => {
      if (s.top[at]) bareForwarded += n;
      at = (at + 1) % s.ring.length;
      bare();
    };
    const forwardedOurs = () => s.sfu.stats.video.forwarded;
    perCpuSecond(ours, forwardedOurs, 100);
    perCpuSecond(bareCounted, () => bareForwarded, 100);
    const o: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < rounds; r++) {
      o.push(perCpuSecond(ours, forwardedOurs, roundMs));
      b.push(perCpuSecond(bareCounted, () => bareForwarded, roundMs));
    }
    const cpuOurs = median(o);
    rows.push(
      comparison(`voice.video.forward.${mode}.n${n}`, 'packets/cpu-s', cpuOurs, median(b), 'bare-forward-loop'),
    );
    if (mode === 'aead_aes256_gcm_rtpsize') {
      rows.push(
        comparison(
          `voice.video.forward.${mode}.n${n}.livekit`,
          'packets/cpu-s',
          cpuOurs,
          LIVEKIT_PUBLISHED_PER_CORE,
          'livekit-published-50us-per-downtrack',
        ),
      );
    }
    if (s.sfu.stats.video.dropped.codec > 0) throw new Error('bench setup: packets dropped for their payload type');
  }
}

report('@concord/voice SFU video forwarding (in-process, one core)', rows, [
  'packets/cpu-s: video packets sent to receivers per CPU-second of this process (user + system)',
  `sender: 3 simulcast layers (${LAYERS.map((l) => `${l.packets}×${l.size} B`).join(', ')} per frame); every receiver gets layer 0`,
  'ours decrypts every layer (keyframe detection, bitrate, retransmission cache) and chooses a layer per receiver; the bare loop decrypts layer 0 only',
  `livekit-published: "~50µs per down track" per video packet (blog.livekit.io, Going beyond a single-core) = ${LIVEKIT_PUBLISHED_PER_CORE}/cpu-s`,
  `send() is a no-op; crypto backend: ${sodiumBackend ? 'sodium-native' : 'js'}`,
]);
if (sent < 0) console.log(sent);
