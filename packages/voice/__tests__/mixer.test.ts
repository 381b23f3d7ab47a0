import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import { type OpenedRtp, PacketCipher } from '../src/crypto/PacketCipher.js';
import { MIXER_SSRC, Mixer, type MixerOptions } from '../src/mixer/Mixer.js';
import { SOFT_CLIP_KNEE, softClip } from '../src/mixer/softClip.js';
import { createOpusCodec } from '../src/opus/opus.js';
import { buildRtpHeader } from '../src/rtp/RtpHeader.js';
import { Sfu, type SfuMember } from '../src/server/Sfu.js';
import { createVoiceServer } from '../src/server/VoiceServer.js';
import { toneFrames, waitFor } from './helpers.js';

describe('softClip', () => {
  it('is bounded, odd, monotonic, and the identity at low levels', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), fc.double({ noNaN: true }), (a, b) => {
        const [x, y] = a <= b ? [a, b] : [b, a];
        expect(Math.abs(softClip(x))).toBeLessThanOrEqual(1);
        expect(softClip(x)).toBeLessThanOrEqual(softClip(y));
        expect(softClip(-x)).toBe(-softClip(x));
      }),
    );
    fc.assert(
      fc.property(fc.double({ min: -SOFT_CLIP_KNEE, max: SOFT_CLIP_KNEE, noNaN: true }), (x) => {
        expect(softClip(x)).toBe(x);
      }),
    );
    // Smooth at the knee: the slope just above it is still about 1.
    const k = SOFT_CLIP_KNEE;
    expect((softClip(k + 1e-6) - softClip(k)) / 1e-6).toBeCloseTo(1, 3);
    expect(softClip(10)).toBeGreaterThan(0.99);
    expect(softClip(Number.NaN)).toBe(0);
  });
});

/** Energy of one frequency in one channel (0 left, 1 right) of stereo s16le PCM (Goertzel). */
function tone(pcm: Buffer, frequency: number, channel: 0 | 1): number {
  const coeff = 2 * Math.cos((2 * Math.PI * frequency) / 48_000);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < pcm.length / 4; i++) {
    const s0 = pcm.readInt16LE(i * 4 + channel * 2) / 32768 + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (pcm.length / 4);
}

function setup(options: MixerOptions = {}) {
  const key = new Uint8Array(32).fill(7);
  const sent: { packet: Buffer; port: number }[] = [];
  const send = (packet: Buffer, port: number) => {
    sent.push({ packet, port });
  };
  const sfu = new Sfu(send);
  const mixer = new Mixer(sfu, send, options);
  const members: SfuMember[] = [];
  const member = (userId: string, port: number, mixed = false): SfuMember => {
    const m: SfuMember = {
      userId,
      ssrc: port,
      room: 'r',
      mode: 'aead_aes256_gcm_rtpsize',
      cipher: new PacketCipher('aead_aes256_gcm_rtpsize', key),
      remote: null,
      muted: false,
      deafened: false,
      silenceRun: 0,
      mixed,
    };
    sfu.add(m);
    sfu.bindRemote(m, '10.0.0.1', port);
    members.push(m);
    return m;
  };
  /** Each speaker sends its frames through the SFU, the mixer ticks once per frame. */
  const play = (speakers: [SfuMember, Buffer[]][], from = 0) => {
    const codecs = speakers.map(() => createOpusCodec());
    const frames = speakers[0]![1].length;
    for (let f = 0; f < frames; f++) {
      speakers.forEach(([s, pcm], i) => {
        const n = from + f;
        const header = buildRtpHeader({ sequence: n, timestamp: n * 960, ssrc: s.ssrc });
        const tx = new PacketCipher('aead_aes256_gcm_rtpsize', key, { initialCounter: n + 1 });
        sfu.handle(tx.seal(header, codecs[i]!.encode(pcm[f]!)), '10.0.0.1', s.ssrc);
      });
      mixer.tick();
    }
    for (const c of codecs) c.delete();
  };
  /** Decodes what one listener received, skipping the codec's start-up frames. */
  const received = (port: number): { pcm: Buffer; opened: OpenedRtp[] } => {
    const rx = new PacketCipher('aead_aes256_gcm_rtpsize', key, { replayProtection: false });
    const opened = sent.filter((s) => s.port === port).map((s) => rx.open(s.packet));
    const decoder = createOpusCodec();
    const pcm = Buffer.concat(opened.slice(5).map((o) => decoder.decode(o.payload)));
    decoder.delete();
    return { pcm, opened };
  };
  return { sfu, mixer, member, play, received, sent };
}

describe('Mixer', () => {
  it('mixes two speakers into one stream that carries both tones, decoding each speaker once', () => {
    const { mixer, member, play, received, sent } = setup();
    const a = member('a', 1001);
    const b = member('b', 1002);
    member('mixed', 2001, true);
    member('plain', 2002);
    play([
      [a, toneFrames(440, 30, 0.4)],
      [b, toneFrames(1000, 30, 0.4)],
    ]);
    const { pcm, opened } = received(2001);
    expect(opened.length).toBe(30);
    expect(opened.every((o) => o.ssrc === MIXER_SSRC)).toBe(true);
    expect(opened.map((o) => o.sequence)).toEqual([...Array(30).keys()]);
    const noise = Math.max(tone(pcm, 700, 0), tone(pcm, 2000, 0));
    expect(tone(pcm, 440, 0)).toBeGreaterThan(20 * noise);
    expect(tone(pcm, 1000, 0)).toBeGreaterThan(20 * noise);
    // The plain listener still gets both streams, unmixed; the mixed one gets nothing else.
    expect(new Set(received(2002).opened.map((o) => o.ssrc))).toEqual(new Set([1001, 1002]));
    expect(sent.filter((s) => s.port === 2001).length).toBe(30);
    expect(mixer.stats.decoded).toBe(60);
    mixer.destroy();
  });

  it('pans and attenuates by position, and leaves out speakers beyond range', () => {
    const { sfu, mixer, member, play, received } = setup();
    sfu.setPositional('r', { range: 10, rolloffModel: 'linear' });
    const left = member('left', 1001);
    const right = member('right', 1002);
    const far = member('far', 1003);
    const listener = member('listener', 2001, true);
    listener.position = { x: 0, y: 0 };
    left.position = { x: -2, y: 0 };
    right.position = { x: 5, y: 0 };
    far.position = { x: 0, y: 50 };
    play([
      [left, toneFrames(440, 30, 0.4)],
      [right, toneFrames(1000, 30, 0.4)],
      [far, toneFrames(2500, 30, 0.4)],
    ]);
    const { pcm } = received(2001);
    // 440 Hz comes from the left, 1000 Hz from the right.
    expect(tone(pcm, 440, 0)).toBeGreaterThan(10 * tone(pcm, 440, 1));
    expect(tone(pcm, 1000, 1)).toBeGreaterThan(10 * tone(pcm, 1000, 0));
    // The nearer speaker is louder (linear rolloff: gain 0.89 at 2, 0.56 at 5).
    expect(tone(pcm, 440, 0)).toBeGreaterThan(tone(pcm, 1000, 1));
    // Out of range: absent.
    const floor = tone(pcm, 700, 0) + tone(pcm, 700, 1);
    expect(tone(pcm, 2500, 0) + tone(pcm, 2500, 1)).toBeLessThan(10 * floor + 1e-6);
    mixer.destroy();
  });

  it('decodes at most maxSpeakers at once, and frees the decoder of a speaker silent for 10 s', () => {
    const { mixer, member, play } = setup({ maxSpeakers: 2 });
    const a = member('a', 1001);
    const b = member('b', 1002);
    const c = member('c', 1003);
    member('mixed', 2001, true);
    play([
      [a, toneFrames(440, 10)],
      [b, toneFrames(550, 10)],
      [c, toneFrames(660, 10)],
    ]);
    // Each speaker costs a codec instance (opusscript holds about 20 per process): the third is left out.
    expect(mixer.stats.decoded).toBe(20);
    expect(mixer.stats.dropped).toBe(10);
    // a and b fall silent; 10 s of ticks later their decoders are gone and c gets one.
    for (let i = 0; i <= 500; i++) mixer.tick();
    play([[c, toneFrames(660, 10)]], 10);
    expect(mixer.stats.decoded).toBe(30);
    mixer.destroy();
  });

  it('sends nothing to a mixed listener who hears no one', () => {
    const { sfu, mixer, member, play, sent } = setup();
    sfu.setPositional('r', { range: 1 });
    const a = member('a', 1001);
    const l = member('l', 2001, true);
    a.position = { x: 0, y: 0 };
    l.position = { x: 5, y: 0 };
    play([[a, toneFrames(440, 5)]]);
    expect(sent.filter((s) => s.port === 2001)).toEqual([]);
    mixer.destroy();
  });
});

describe('VoiceServer.setMixed', () => {
  it('switches a connected listener to the mixed stream', async () => {
    const server = await createVoiceServer({ heartbeatInterval: 5_000 });
    const join = async (userId: string, mixed = false) => {
      const { token, endpoint } = server.allocate({ guildId: 'g', channelId: 'mix', userId, sessionId: userId });
      const client = new VoiceClient({
        endpoint,
        token,
        sessionId: userId,
        userId,
        guildId: 'g',
        rtcpInterval: 0,
        mixed,
      });
      await client.connect();
      return client;
    };
    const a = await join('mix-a');
    const l = await join('mix-l');
    // Asks for the mix itself at Identify.
    const l2 = await join('mix-l2', true);
    server.setMixed('mix-l');
    const ssrcs = new Set<number>();
    l.on('packet', (p) => ssrcs.add(p.ssrc));
    const ssrcs2 = new Set<number>();
    l2.on('packet', (p) => ssrcs2.add(p.ssrc));
    const frame = toneFrames(440, 1)[0]!;
    const pump = setInterval(() => a.sendPcm(frame), 20);
    try {
      await waitFor(() => (server.stats.mixer?.mixed ?? 0) >= 10, 10_000, 'mixed frames');
      await waitFor(() => ssrcs.has(MIXER_SSRC), 5_000, 'mixed stream');
      await waitFor(() => ssrcs2.has(MIXER_SSRC), 5_000, 'mixed stream (identify flag)');
      expect([...ssrcs]).toEqual([MIXER_SSRC]);
      expect([...ssrcs2]).toEqual([MIXER_SSRC]);
    } finally {
      clearInterval(pump);
      a.disconnect();
      l.disconnect();
      l2.disconnect();
      await server.close();
    }
  });
});
