// VoiceClient's video pieces in-process: the signalling payloads (Identify, Select Protocol, Ready streams, op 12,
// op 15) and two VideoSessions wired back to back through a lossy "network" (packetization, reassembly, NACK → RTX,
// PLI → keyframeRequested, REMB, camera off).
import { EventEmitter } from 'eventemitter3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identifyPayload, selectProtocolPayload } from '../src/client/clientPayloads.js';
import type { VideoLayer } from '../src/client/VideoOptions.js';
import { VideoSession } from '../src/client/VideoSession.js';
import type { VoiceClientEvents } from '../src/client/VoiceClientEvents.js';
import { mediaSinkWantsPayload, readReadyStreams, readRemoteVideo, videoPayload } from '../src/client/videoPayloads.js';
import type { OpenedRtp } from '../src/crypto/PacketCipher.js';
import { readRtpFixedHeader } from '../src/rtp/RtpHeader.js';
import { parseFeedback } from '../src/video/rtcpFeedback.js';
import { budgetFor, measure } from './budget.js';
import { waitFor } from './helpers.js';

const LAYERS: VideoLayer[] = [
  { rid: '50', quality: 50, width: 640, height: 360, maxBitrate: 500_000, maxFramerate: 30 },
  { rid: '100', quality: 100, width: 1280, height: 720, maxBitrate: 2_000_000, maxFramerate: 30 },
];
const base = { endpoint: 'x', token: 't', sessionId: 's', userId: 'u', guildId: 'g' };

describe('video signalling payloads', () => {
  it('Identify and Select Protocol carry video only when asked (audio-only clients send what they always sent)', () => {
    expect(identifyPayload(base)).toEqual({ server_id: 'g', user_id: 'u', session_id: 's', token: 't' });
    expect(selectProtocolPayload({ address: '1.2.3.4', port: 5 }, 'aead_aes256_gcm_rtpsize')).not.toHaveProperty(
      'codecs',
    );
    const video = { layers: LAYERS };
    expect(identifyPayload({ ...base, video })).toMatchObject({
      video: true,
      streams: [
        { type: 'video', rid: '50', quality: 50 },
        { type: 'video', rid: '100', quality: 100 },
      ],
    });
    const select = selectProtocolPayload({ address: '1.2.3.4', port: 5 }, 'aead_aes256_gcm_rtpsize', video);
    expect(
      select.codecs?.map((c) => [c.name, c.payload_type, 'rtx_payload_type' in c ? c.rtx_payload_type : null]),
    ).toEqual([
      ['opus', 120, null],
      ['VP8', 103, 104],
      ['H264', 101, 102],
    ]);
  });

  it('Ready streams pair with our layers by rid, else by position; bad SSRCs are left out', () => {
    const streams = [
      { type: 'video', rid: '100', ssrc: 11, rtx_ssrc: 12 },
      { type: 'video', rid: '50', ssrc: 21, rtx_ssrc: 22 },
    ];
    expect(readReadyStreams(streams, LAYERS).map((a) => [a.layer.rid, a.ssrc, a.rtxSsrc])).toEqual([
      ['50', 21, 22],
      ['100', 11, 12],
    ]);
    expect(readReadyStreams([{ ssrc: 5 }, { ssrc: -1 }], LAYERS).map((a) => a.ssrc)).toEqual([5]);
    expect(readReadyStreams(undefined, LAYERS)).toEqual([]);
  });

  it('op 12 on and off, relayed op 12 read back, op 15', () => {
    const allocated = readReadyStreams(
      [
        { ssrc: 21, rtx_ssrc: 22 },
        { ssrc: 11, rtx_ssrc: 12 },
      ],
      LAYERS,
    );
    const on = videoPayload(7, allocated, true);
    expect(on).toMatchObject({ audio_ssrc: 7, video_ssrc: 21, rtx_ssrc: 22 });
    expect(on.streams[1]).toEqual({
      type: 'video',
      rid: '100',
      ssrc: 11,
      rtx_ssrc: 12,
      active: true,
      quality: 100,
      max_bitrate: 2_000_000,
      max_framerate: 30,
      max_resolution: { type: 'fixed', width: 1280, height: 720 },
    });
    const off = videoPayload(7, allocated, false);
    expect(off).toMatchObject({ video_ssrc: 0, rtx_ssrc: 0 });
    expect(off.streams.every((s) => !s.active)).toBe(true);
    expect(readRemoteVideo({ ...on, user_id: 'a' })).toMatchObject({ userId: 'a', videoSsrc: 21, active: true });
    expect(readRemoteVideo({ ...off, user_id: 'a' })).toMatchObject({ videoSsrc: 0, active: false });
    expect(readRemoteVideo({ video_ssrc: 5 })).toBeNull();
    expect(mediaSinkWantsPayload(50)).toEqual({ any: 50 });
    expect(mediaSinkWantsPayload(250, 9)).toEqual({ '9': 100 });
  });
});

/** A VP8 frame as libvpx starts one: keyframe (P=0, start code, size) or interframe (P=1). */
function vp8Frame(key: boolean, length: number, fill: number): Buffer {
  const frame = Buffer.alloc(length, fill);
  frame[0] = key ? 0x10 : 0x11;
  if (key) {
    frame.set([0x9d, 0x01, 0x2a], 3);
    frame.writeUInt16LE(640, 6);
    frame.writeUInt16LE(360, 8);
  }
  return frame;
}

function opened(packet: { header: Buffer; payload: Buffer }): OpenedRtp {
  const h = readRtpFixedHeader(packet.header);
  return { ...h, header: packet.header, payload: packet.payload, extension: null };
}

/**
 * A sender and a receiver session back to back, standing in for the SFU: RTP goes straight across (minus what `drop`
 * says), RTCP from the receiver is parsed and turned around as the SFU would (NACK/PLI to the sender).
 */
function pair(drop: (sequence: number) => boolean) {
  const aEvents = new EventEmitter<VoiceClientEvents>();
  const bEvents = new EventEmitter<VoiceClientEvents>();
  const ops: { op: number; d: unknown }[] = [];
  const feedback: ReturnType<typeof parseFeedback> = [];
  let a: VideoSession;
  const b: VideoSession = new VideoSession(
    bEvents,
    new Map(),
    { maxReceiveBitrate: 700_000 },
    {
      sendRtp: () => true,
      sendRtcp: (plain) => {
        feedback.push(...parseFeedback(plain));
        a.onRtcp(plain);
        return true;
      },
      sendOp: () => true,
      audioSsrc: () => 2,
    },
  );
  a = new VideoSession(
    aEvents,
    new Map(),
    { layers: LAYERS, maxPayload: 300 },
    {
      sendRtp: (packet) => {
        const h = readRtpFixedHeader(packet.header);
        if (h.payloadType === 103 && drop(h.sequence)) return true;
        b.receive(opened(packet));
        return true;
      },
      sendRtcp: () => true,
      sendOp: (op, d) => {
        ops.push({ op, d });
        return true;
      },
      audioSsrc: () => 1,
    },
  );
  a.onReady([
    { ssrc: 21, rtx_ssrc: 22 },
    { ssrc: 11, rtx_ssrc: 12 },
  ]);
  return { a, b, aEvents, bEvents, ops, feedback };
}

describe('VideoSession back to back', () => {
  it('frames cross whole; a lost packet is NACKed, comes back as RTX, and the frame completes', async () => {
    let n = 0;
    const { a, b, bEvents, ops, feedback } = pair(() => ++n === 9);
    b.onRemoteVideo({ user_id: 'alice', audio_ssrc: 1, video_ssrc: 21, rtx_ssrc: 22, streams: [] });
    const frames: { userId: string | null; keyframe: boolean; data: Buffer; size: unknown }[] = [];
    bEvents.on('videoFrame', (f) => frames.push(f));
    const sent = [vp8Frame(true, 2000, 1), vp8Frame(false, 900, 2), vp8Frame(false, 900, 3)];
    for (const [i, f] of sent.entries()) a.sendFrame(f, { rid: '50', timestamp: i * 3000 });
    // Camera announced with the first frame.
    expect(ops[0]).toMatchObject({ op: 12, d: { video_ssrc: 21, audio_ssrc: 1 } });
    await waitFor(() => frames.length === 3, 2000, 'three frames');
    expect(frames.map((f) => f.data.equals(sent[frames.indexOf(f)]!))).toEqual([true, true, true]);
    expect(frames[0]).toMatchObject({ userId: 'alice', keyframe: true, size: { width: 640, height: 360 } });
    expect(feedback.some((f) => f.kind === 'nack' && f.media === 21)).toBe(true);
    expect(a.stats.retransmitted).toBeGreaterThan(0);
    expect(b.stats.rtxReceived).toBe(1);
    expect(b.stats.framesDropped).toBe(0);
    a.dispose();
    b.dispose();
  });

  it('a frame that cannot be repaired is dropped, PLI goes out and the sender is asked for a keyframe once', async () => {
    // The second frame's first packet is lost, and the sender has no RTX stream (rtx_ssrc 0): NACKs go unanswered.
    let lostSeq = -1;
    const { a, b, aEvents, feedback } = pair((seq) => seq === lostSeq);
    const requests: unknown[] = [];
    aEvents.on('keyframeRequested', (r) => requests.push(r));
    b.onRemoteVideo({ user_id: 'alice', audio_ssrc: 1, video_ssrc: 21, rtx_ssrc: 0, streams: [] });
    const sender = (a as unknown as { senders: { allocated: { rtxSsrc: number }; sequence: number }[] }).senders[0]!;
    sender.allocated.rtxSsrc = 0;
    a.sendFrame(vp8Frame(true, 1000, 1), { rid: '50', timestamp: 0 });
    lostSeq = sender.sequence;
    a.sendFrame(vp8Frame(false, 1000, 2), { rid: '50', timestamp: 3000 });
    a.sendFrame(vp8Frame(false, 1000, 3), { rid: '50', timestamp: 6000 });
    await waitFor(() => feedback.some((f) => f.kind === 'pli'), 3000, 'PLI');
    expect(b.stats.framesDropped).toBeGreaterThan(0);
    expect(requests).toEqual([{ rid: '50', ssrc: 21, reason: 'pli' }]);
    // A REMB with the receive cap went out as well, about the stream received.
    b.setMaxReceiveBitrate(300_000);
    await waitFor(() => feedback.some((f) => f.kind === 'remb' && f.bitrate === 300_000), 1000, 'REMB');
    expect(feedback.find((f) => f.kind === 'remb' && f.bitrate === 300_000)).toMatchObject({ ssrcs: [21] });
    a.dispose();
    b.dispose();
  });

  it('camera off: op 12 with video SSRC 0, and the receiver forgets the stream', () => {
    const { a, b, bEvents, ops } = pair(() => false);
    const seen: unknown[] = [];
    bEvents.on('video', (v) => seen.push(v.active));
    a.setActive(true);
    a.setActive(false);
    expect(ops.map((o) => (o.d as { video_ssrc: number }).video_ssrc)).toEqual([21, 0]);
    b.onRemoteVideo({ user_id: 'alice', ...(ops[0]!.d as object) });
    b.onRemoteVideo({ user_id: 'alice', ...(ops[1]!.d as object) });
    expect(seen).toEqual([true, false]);
    expect(() => a.sendFrame(vp8Frame(true, 100, 1), { rid: 'nope' })).toThrow(/no video stream/);
    a.dispose();
    b.dispose();
  });
});

describe('VideoSession on hostile input', () => {
  function session(): VideoSession {
    const transport = { sendRtp: () => true, sendRtcp: () => true, sendOp: () => true, audioSsrc: () => 1 };
    const events = new EventEmitter<VoiceClientEvents>();
    const s = new VideoSession(events, new Map(), { layers: LAYERS, assembler: { maxPackets: 64 } }, transport);
    s.onReady([{ ssrc: 21, rtx_ssrc: 22 }]);
    s.onRemoteVideo({ user_id: 'x', video_ssrc: 5, rtx_ssrc: 6, streams: [{ ssrc: 5, rtx_ssrc: 6 }] });
    return s;
  }

  it('decrypted video/RTX packets and RTCP of any shape: never thrown, bounded state, within budget', () => {
    const packet = fc.record({
      payloadType: fc.constantFrom(101, 102, 103, 104, 105, 107),
      ssrc: fc.integer({ min: 1, max: 80 }),
      sequence: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 0xffff })),
      timestamp: fc.integer({ min: 0, max: 4 }),
      marker: fc.boolean(),
      payload: fc.uint8Array({ maxLength: 1200 }),
    });
    const datagrams = fc.array(fc.uint8Array({ maxLength: 512 }), { maxLength: 8 });
    fc.assert(
      fc.property(fc.array(packet, { maxLength: 150 }), datagrams, (packets, rtcp) => {
        const opened = packets.map((p) => ({
          ...p,
          header: Buffer.alloc(12),
          payload: Buffer.from(p.payload),
          extension: null,
        }));
        // The case is measured as a whole against the sum of its calls' budgets (each packet and each RTCP datagram
        // one decoder call, see budget.ts): a scheduling hiccup on a busy machine does not fail one tiny call, while a
        // decoder that allocates what a header claims, or loops on a lying length, still blows through it.
        const s = session();
        const budget = { ...budgetFor(0) };
        for (const input of [...opened.map((o) => o.payload), ...rtcp]) {
          budget.ms += budgetFor(input.length).ms;
          budget.bytes += budgetFor(input.length).bytes;
        }
        let thrown: unknown;
        const cost = measure(() => {
          try {
            for (const o of opened) s.receive(o);
            for (const r of rtcp) s.onRtcp(r);
          } catch (error) {
            thrown = error;
          }
        });
        expect(thrown).toBeUndefined();
        expect(cost.ms).toBeLessThan(budget.ms);
        expect(cost.bytes).toBeLessThan(budget.bytes);
        const receivers = (s as unknown as { receivers: Map<number, { assembler: { held: number } }> }).receivers;
        expect(receivers.size).toBeLessThanOrEqual(64);
        for (const r of receivers.values()) expect(r.assembler.held).toBeLessThanOrEqual(64);
        s.dispose();
      }),
      { numRuns: 200 },
    );
  });
});
