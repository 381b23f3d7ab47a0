// DAVE version 1 end to end with unmodified clients: @discordjs/voice 0.19 (with @snazzah/davey) connections in one
// channel through our voice server. Each plays an Opus tone, each receives and decrypts the other's; the SFU's copy of
// the payload is a DAVE frame (0xFAFA marker) that does not decode to the tone; members joining and leaving move the
// group to new epochs and audio keeps flowing.
import { Readable } from 'node:stream';
import {
  createAudioPlayer,
  createAudioResource,
  type DiscordGatewayAdapterCreator,
  EndBehaviorType,
  entersState,
  joinVoiceChannel,
  StreamType,
  type VoiceConnection,
  VoiceConnectionStatus,
} from '@discordjs/voice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import type { OpenedRtp } from '../src/crypto/PacketCipher.js';
import type { DaveEvent } from '../src/dave/DaveGroup.js';
import { createOpusCodec, OPUS_FRAME_SAMPLES, OPUS_SAMPLE_RATE } from '../src/opus/opus.js';
import type { Sfu, SfuMember } from '../src/server/Sfu.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { makeSelfSignedCert, waitFor } from './helpers.js';

// As discordjs.test.ts: @discordjs/voice dials wss:// with Node's default TLS settings; restored afterwards.
const previousRejectUnauthorized = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
const cert = makeSelfSignedCert();
if (!cert) {
  if (process.env.CI === 'true') throw new Error('openssl is required for the DAVE test (apt-get install openssl)');
  console.warn('openssl not found: DAVE @discordjs/voice test skipped (apt-get install openssl)');
}

const GUILD = '1200000000000000001';
const CHANNEL = '1200000000000000002';
const CHANNEL2 = '1200000000000000003';
const USERS = { a: '1200000000000000011', b: '1200000000000000012', c: '1200000000000000013' };
const LEGACY = '1200000000000000019';
const FREQ = { a: 440, b: 660, c: 880 };

/** 40 frames (0.8 s) of a stereo sine at `hz`, Opus-encoded. */
function toneFrames(hz: number): Buffer[] {
  const codec = createOpusCodec();
  const frames: Buffer[] = [];
  for (let f = 0; f < 40; f++) {
    const pcm = Buffer.alloc(OPUS_FRAME_SAMPLES * 4);
    for (let i = 0; i < OPUS_FRAME_SAMPLES; i++) {
      const v = Math.round(8000 * Math.sin((2 * Math.PI * hz * (f * OPUS_FRAME_SAMPLES + i)) / OPUS_SAMPLE_RATE));
      pcm.writeInt16LE(v, i * 4);
      pcm.writeInt16LE(v, i * 4 + 2);
    }
    frames.push(codec.encode(pcm));
  }
  codec.delete();
  return frames;
}

/** Share of the (left channel's) energy at `hz` (Goertzel): about 1 for a clean tone, near 0 for anything else. */
function toneShare(pcm: Buffer, hz: number): number {
  const n = pcm.length / 4;
  if (n === 0) return 0;
  const k = (2 * Math.PI * hz) / OPUS_SAMPLE_RATE;
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const x = pcm.readInt16LE(i * 4);
    energy += x * x;
    const s0 = x + 2 * Math.cos(k) * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - 2 * Math.cos(k) * s1 * s2;
  return energy === 0 ? 0 : (2 * power) / (n * energy);
}

/**
 * Whether `payload` decodes (with a fresh decoder) to what was encoded: a 20 ms frame (960 samples) at about the
 * tone's level (RMS of the 8000-amplitude sine ≈ 5657) with most of its energy at `hz`. Garbage fed to an Opus decoder
 * may decode to something (its TOC byte names some mode and duration), but not to that.
 */
function decodesToTone(payload: Buffer, hz: number): boolean {
  const codec = createOpusCodec();
  try {
    // Warm the decoder with the same packet so that the decoded frame is a steady state, as for the real frames.
    codec.decode(payload);
    const pcm = codec.decode(payload);
    const samples = pcm.length / 4;
    let energy = 0;
    for (let i = 0; i < samples; i++) energy += pcm.readInt16LE(i * 4) ** 2;
    const rms = Math.sqrt(energy / Math.max(1, samples));
    return samples === OPUS_FRAME_SAMPLES && rms > 2000 && toneShare(pcm, hz) > 0.5;
  } catch {
    return false;
  } finally {
    codec.delete();
  }
}

function isSilence(frame: Buffer): boolean {
  return frame.length === 3 && frame[0] === 0xf8 && frame[1] === 0xff && frame[2] === 0xfe;
}

describe.skipIf(!cert)('DAVE with @discordjs/voice', () => {
  let server: VoiceServer;
  const events: DaveEvent[] = [];
  /** What the SFU saw, per SSRC: the payload after transport decryption. */
  const sfuPayloads = new Map<number, Buffer[]>();

  beforeAll(async () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    server = await createVoiceServer({ tls: cert!, heartbeatInterval: 5_000 });
    server.on('dave', (e) => events.push(e));
    const sfu = (server as unknown as { sfu: Sfu }).sfu;
    const receive = sfu.receive.bind(sfu);
    sfu.receive = (sender: SfuMember, opened: OpenedRtp) => {
      const list = sfuPayloads.get(opened.ssrc) ?? [];
      list.push(Buffer.from(opened.payload));
      sfuPayloads.set(opened.ssrc, list);
      receive(sender, opened);
    };
  });

  afterAll(async () => {
    await server.close();
    if (previousRejectUnauthorized === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousRejectUnauthorized;
  });

  function adapterFor(userId: string): DiscordGatewayAdapterCreator {
    const sessionId = `dave-session-${userId}`;
    return (methods) => ({
      sendPayload: (payload) => {
        const channelId = (payload as { d: { channel_id: string | null } }).d.channel_id;
        if (channelId === null) return true;
        const { token, endpoint } = server.allocate({ guildId: GUILD, channelId, userId, sessionId });
        queueMicrotask(() => {
          methods.onVoiceStateUpdate({
            guild_id: GUILD,
            channel_id: channelId,
            user_id: userId,
            session_id: sessionId,
            deaf: false,
            mute: false,
            self_deaf: false,
            self_mute: false,
            self_video: false,
            suppress: false,
            request_to_speak_timestamp: null,
          });
          methods.onVoiceServerUpdate({ token, guild_id: GUILD, endpoint });
        });
        return true;
      },
      destroy: () => {},
    });
  }

  async function join(userId: string, channelId = CHANNEL): Promise<VoiceConnection> {
    const connection = joinVoiceChannel({
      guildId: GUILD,
      channelId,
      selfDeaf: false,
      group: userId,
      adapterCreator: adapterFor(userId),
    });
    await entersState(connection, VoiceConnectionStatus.Ready, 8_000);
    return connection;
  }

  /** The client's DAVE session (@discordjs/voice's wrapper) — read only, to wait for its group. */
  function daveOf(connection: VoiceConnection): {
    protocolVersion: number;
    session?: { ready: boolean; epoch: bigint | null };
  } {
    const networking = (connection.state as { networking?: { state: { dave?: unknown } } }).networking;
    return networking?.state.dave as { protocolVersion: number; session?: { ready: boolean; epoch: bigint | null } };
  }

  /** Every client in a group at `epoch`, and the server executed that epoch's transition (after event `since`). */
  async function waitForEpoch(connections: VoiceConnection[], epoch: number, since = 0): Promise<void> {
    await waitFor(
      () =>
        connections.every((c) => {
          const dave = daveOf(c);
          return dave?.protocolVersion === 1 && dave.session?.ready === true && dave.session.epoch === BigInt(epoch);
        }) && events.slice(since).some((e) => e.type === 'execute' && e.epoch === epoch),
      15_000,
      `DAVE epoch ${epoch} at ${connections.length} clients`,
    );
  }

  /** `from` plays its tone; each of `to` must receive exactly the frames played (decrypted), decoding to the tone. */
  async function expectHeard(
    from: [VoiceConnection, keyof typeof USERS],
    to: VoiceConnection[],
    legacy?: VoiceClient,
  ): Promise<void> {
    const [connection, name] = from;
    const frames = toneFrames(FREQ[name]);
    const received = to.map((c) => {
      const got: Buffer[] = [];
      const stream = c.receiver.subscribe(USERS[name], { end: { behavior: EndBehaviorType.Manual } });
      stream.on('data', (chunk: Buffer) => {
        if (!isSilence(chunk)) got.push(chunk);
      });
      return { got, stream };
    });
    const heardByLegacy: Buffer[] = [];
    const onPacket = (p: { userId: string | null; opus: Buffer }) => {
      if (p.userId === USERS[name] && !isSilence(p.opus)) heardByLegacy.push(p.opus);
    };
    legacy?.on('packet', onPacket);
    const player = createAudioPlayer();
    connection.subscribe(player);
    player.play(createAudioResource(Readable.from(frames), { inputType: StreamType.Opus }));
    try {
      await waitFor(
        () =>
          // Nearly every frame: a loaded machine may lose a few datagrams on loopback or the player skip one.
          received.every((r) => r.got.length >= frames.length * 0.9) &&
          (!legacy || heardByLegacy.length >= frames.length * 0.9),
        15_000,
        `${name}'s tone at ${to.length} receivers`,
      );
    } finally {
      player.stop(true);
      for (const r of received) r.stream.destroy();
      legacy?.off('packet', onPacket);
    }
    // A client without DAVE (version 0 call) gets the plain Opus frames.
    for (const frame of heardByLegacy) expect(frames.some((f) => f.equals(frame))).toBe(true);
    for (const r of received) {
      // Every frame that arrived is one that was played, byte for byte (the decrypted Opus), and it is the tone.
      for (const frame of r.got) expect(frames.some((f) => f.equals(frame))).toBe(true);
      expect(decodesToTone(r.got[20]!, FREQ[name])).toBe(true);
    }
  }

  /** What the SFU forwarded for `userId` after `from` (an index): DAVE frames, none of which decodes to the tone. */
  function expectSfuOpaque(userId: string, name: keyof typeof USERS, from: number, channelId = CHANNEL): number {
    const ssrc = server.members(GUILD, channelId).find((m) => m.userId === userId)!.ssrc;
    const payloads = (sfuPayloads.get(ssrc) ?? []).slice(from).filter((p) => !isSilence(p));
    expect(payloads.length).toBeGreaterThan(20);
    const plain = toneFrames(FREQ[name]);
    let tonal = 0;
    for (const p of payloads) {
      expect(p.subarray(-2)).toEqual(Buffer.from([0xfa, 0xfa]));
      expect(plain.some((f) => f.equals(p))).toBe(false);
      if (decodesToTone(p, FREQ[name])) tonal++;
    }
    // Ciphertext handed to an Opus decoder is noise, but a rare random frame can decode to something tonal enough to
    // pass the check (seen once in CI); a frame that were not encrypted would pass it every time (see expectHeard).
    expect(tonal).toBeLessThanOrEqual(Math.floor(payloads.length / 20));
    return payloads.length;
  }

  function sfuCount(userId: string, channelId = CHANNEL): number {
    const ssrc = server.members(GUILD, channelId).find((m) => m.userId === userId)?.ssrc;
    return ssrc === undefined ? 0 : (sfuPayloads.get(ssrc)?.length ?? 0);
  }

  it('two clients negotiate version 1, hear each other, the SFU sees only DAVE frames; joins and leaves move epochs', async () => {
    const a = await join(USERS.a);
    const b = await join(USERS.b);
    const c: VoiceConnection[] = [];
    try {
      await waitForEpoch([a, b], 1);
      expect(server.room(GUILD, CHANNEL)!.dave!.version).toBe(1);
      // The server described both sessions with version 1 (Session Description's dave_protocol_version).
      expect(events.filter((e) => e.type === 'session')).toEqual([
        expect.objectContaining({ userId: USERS.a, version: 1 }),
        expect.objectContaining({ userId: USERS.b, version: 1 }),
      ]);
      expect(daveOf(a).protocolVersion).toBe(1);
      expect(events.find((e) => e.type === 'commit')).toMatchObject({ epoch: 1 });
      // Sanity of the check below: the plain tone frames do decode to the tone.
      expect(decodesToTone(toneFrames(FREQ.a)[20]!, FREQ.a)).toBe(true);

      let markA = sfuCount(USERS.a);
      await expectHeard([a, 'a'], [b]);
      expectSfuOpaque(USERS.a, 'a', markA);
      const markB = sfuCount(USERS.b);
      await expectHeard([b, 'b'], [a]);
      expectSfuOpaque(USERS.b, 'b', markB);

      // A third member joins: epoch 2, everyone hears it.
      c.push(await join(USERS.c));
      await waitForEpoch([a, b, c[0]!], 2);
      await expectHeard([c[0]!, 'c'], [a, b]);

      // A leaves: epoch 3 for the two left, audio continues between them.
      a.destroy();
      await waitForEpoch([b, c[0]!], 3);
      expect(
        server
          .room(GUILD, CHANNEL)!
          .dave!.leaves.filter((l) => l !== null)
          .sort(),
      ).toEqual([USERS.b, USERS.c]);
      markA = sfuCount(USERS.b);
      await expectHeard([b, 'b'], [c[0]!]);
      expectSfuOpaque(USERS.b, 'b', markA);
    } finally {
      for (const conn of [a, b, ...c]) if (conn.state.status !== VoiceConnectionStatus.Destroyed) conn.destroy();
    }
  }, 60_000);

  it('downgrades to version 0 while a client without DAVE is in the call, and upgrades to a new group after', async () => {
    const a = await join(USERS.a, CHANNEL2);
    const b = await join(USERS.b, CHANNEL2);
    let legacy: VoiceClient | undefined;
    try {
      const start = events.length;
      await waitForEpoch([a, b], 1, start);

      // Our own VoiceClient sends no max_dave_protocol_version: the call goes to version 0 (op 21/23/22).
      legacy = new VoiceClient({
        ...server.allocate({ guildId: GUILD, channelId: CHANNEL2, userId: LEGACY, sessionId: 'legacy-session' }),
        sessionId: 'legacy-session',
        userId: LEGACY,
        guildId: GUILD,
        secure: true,
        tls: { ca: cert!.cert },
      });
      await legacy.connect();
      await waitFor(
        () => daveOf(a).protocolVersion === 0 && daveOf(b).protocolVersion === 0,
        8_000,
        'downgrade at both clients',
      );
      expect(events.slice(start)).toContainEqual(expect.objectContaining({ type: 'version', version: 0 }));
      expect(events.slice(start)).toContainEqual(
        expect.objectContaining({ type: 'session', userId: LEGACY, version: 0 }),
      );
      // Transport encryption only: B and the legacy client both get A's plain Opus; so does the SFU.
      const mark = sfuCount(USERS.a, CHANNEL2);
      await expectHeard([a, 'a'], [b], legacy);
      const ssrcA = server.members(GUILD, CHANNEL2).find((m) => m.userId === USERS.a)!.ssrc;
      const plain = (sfuPayloads.get(ssrcA) ?? []).slice(mark).filter((p) => !isSilence(p));
      expect(plain.length).toBeGreaterThan(20);
      expect(plain.every((p) => toneFrames(FREQ.a).some((f) => f.equals(p)))).toBe(true);

      // It leaves: op 24 (epoch 1) makes a new group, and audio is end-to-end encrypted again.
      const beforeUpgrade = events.length;
      legacy.disconnect();
      legacy = undefined;
      await waitForEpoch([a, b], 1, beforeUpgrade);
      expect(events.slice(beforeUpgrade)).toContainEqual(expect.objectContaining({ type: 'version', version: 1 }));
      const markB = sfuCount(USERS.b, CHANNEL2);
      await expectHeard([b, 'b'], [a]);
      expectSfuOpaque(USERS.b, 'b', markB, CHANNEL2);
    } finally {
      legacy?.disconnect();
      for (const conn of [a, b]) if (conn.state.status !== VoiceConnectionStatus.Destroyed) conn.destroy();
    }
  }, 60_000);
});
