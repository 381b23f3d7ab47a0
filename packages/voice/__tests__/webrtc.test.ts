import { VoiceOpcode } from '@concord/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import { createOpusCodec } from '../src/opus/opus.js';
import { roomKey } from '../src/server/Room.js';
import type { Sfu } from '../src/server/Sfu.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { WebRtcLeg } from '../src/webrtc/WebRtcLeg.js';
import { goertzel, RawVoiceSocket, toneFrames, waitFor } from './helpers.js';
import { WebRtcTestPeer } from './webrtcPeer.js';

let server: VoiceServer;

beforeAll(async () => {
  server = await createVoiceServer({ heartbeatInterval: 5_000 });
});

afterAll(async () => {
  await server.close();
});

/** Asserts that Opus packets decode to a tone of `frequency` (well above other frequencies). */
function expectTone(packets: readonly { sequence: number; payload: Buffer }[], frequency: number): void {
  const decoder = createOpusCodec();
  const sorted = [...packets].sort((a, b) => a.sequence - b.sequence);
  // The first frames carry the codec's start-up transient; analyse the steady state.
  const pcm = Buffer.concat(sorted.slice(5).map((p) => decoder.decode(p.payload)));
  decoder.delete();
  const tone = goertzel(pcm, frequency);
  expect(tone).toBeGreaterThan(0);
  for (const other of [220, 330, 550, 880, 1000, 2000].filter((f) => f !== frequency)) {
    expect(tone).toBeGreaterThan(20 * goertzel(pcm, other));
  }
}

function legOf(guildId: string, channelId: string, userId: string): WebRtcLeg {
  const sfu = (server as unknown as { sfu: Sfu }).sfu;
  const member = [...sfu.members(roomKey(guildId, channelId))].find((m) => m.userId === userId);
  expect(member?.leg).toBeInstanceOf(WebRtcLeg);
  return member!.leg as WebRtcLeg;
}

describe('WebRTC peers in a voice room', () => {
  it('a WebRTC peer and a native client hear each other; a second peer hears the first; leaving closes the leg', async () => {
    const web = await WebRtcTestPeer.join(server, 'g', 'room', 'web-a');
    const description = await web.connect(2);
    expect(description.d).toMatchObject({ mode: 'dtls_srtp', audio_codec: 'opus', video_codec: 'VP8' });
    expect(description.d.secret_key).toBeUndefined();
    // Only loopback candidates in the answer, one per slot SSRC.
    const candidates = web.answer.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
    expect(candidates.length).toBeGreaterThan(0);
    for (const line of candidates) expect(line).toContain(' 127.0.0.1 ');
    expect(web.slotSsrcs('audio')).toHaveLength(2);
    expect(web.slotSsrcs('video')).toHaveLength(2);

    const { token, endpoint } = server.allocate({ guildId: 'g', channelId: 'room', userId: 'native', sessionId: 'sn' });
    const native = new VoiceClient({ endpoint, token, sessionId: 'sn', userId: 'native', guildId: 'g' });
    await native.connect();
    const fromWeb: { sequence: number; payload: Buffer }[] = [];
    native.on('packet', (p) => {
      if (p.ssrc === web.ssrc) fromWeb.push({ sequence: p.sequence, payload: p.opus });
    });

    // Browser → native: the peer's Opus arrives under the member's Ready SSRC with Discord's payload type.
    await web.sendPcm(toneFrames(440, 40));
    await waitFor(() => fromWeb.length >= 30, 5000, 'web → native');
    expectTone(fromWeb, 440);

    // Native → browser: through a receive slot, announced with op 12 (user_id + the slot's SSRCs).
    for (const frame of toneFrames(660, 40)) native.sendPcm(frame);
    await waitFor(() => web.slotOf('native') !== null, 5000, 'slot bound to native');
    const slot = web.slotOf('native')!;
    await waitFor(() => (web.received.get(slot)?.length ?? 0) >= 30, 5000, 'native → web');
    expectTone(web.received.get(slot)!, 660);

    // A second browser hears the first.
    const second = await WebRtcTestPeer.join(server, 'g', 'room', 'web-b');
    await second.connect(2);
    await web.sendPcm(toneFrames(550, 40));
    await waitFor(() => second.slotOf('web-a') !== null, 5000, 'slot bound to web-a');
    const slotA = second.slotOf('web-a')!;
    await waitFor(() => (second.received.get(slotA)?.length ?? 0) >= 30, 5000, 'web-a → web-b');
    expectTone(second.received.get(slotA)!, 550);

    // Leaving (clean close of the voice WebSocket) closes the peer's leg.
    const leg = legOf('g', 'room', 'web-a');
    expect(leg.connected).toBe(true);
    await web.close();
    await waitFor(() => leg.closed, 5000, 'leg closed');
    expect(server.members('g', 'room').map((m) => m.userId)).not.toContain('web-a');

    native.disconnect();
    await second.close();
  }, 30_000);

  it("a WebRTC peer's camera (VP8) reaches another peer's video slot", async () => {
    const a = await WebRtcTestPeer.join(server, 'g', 'video', 'cam-a', true);
    expect(a.streams).toHaveLength(1);
    await a.connect(1);
    a.cameraOn();
    const b = await WebRtcTestPeer.join(server, 'g', 'video', 'cam-b');
    await b.connect(1);
    // VP8 keyframes as the SFU recognises them (S=1, PID 0, P=0 in the frame header), each frame one packet.
    const frames = Array.from({ length: 40 }, (_, i) =>
      Buffer.concat([
        Buffer.from([0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00]),
        Buffer.alloc(200, i),
      ]),
    );
    await a.sendVideo(frames);
    await waitFor(() => b.videoSlotOf('cam-a') !== null, 5000, 'video slot bound');
    const slot = b.videoSlotOf('cam-a')!;
    expect(b.slotSsrcs('video')).toContain(slot);
    await waitFor(() => (b.received.get(slot)?.length ?? 0) >= 20, 5000, 'video in the slot');
    const got = b.received.get(slot)!;
    // The payloads arrive unchanged (the frame index is in the bytes after the VP8 header).
    const indexes = got.map((p) => p.payload[11]!);
    for (const index of indexes) expect(frames[index]!.equals(got[indexes.indexOf(index)]!.payload)).toBe(true);
    await a.close();
    await b.close();
  }, 30_000);

  it('refuses hostile or unusable offers with a close code, and keeps serving', async () => {
    const cases: [unknown, number][] = [
      [{ protocol: 'webrtc', sdp: 'x'.repeat(70_000) }, 4002],
      [{ protocol: 'webrtc', sdp: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:999 opus/48000/2' }, 4002],
      [{ protocol: 'webrtc', data: 42 }, 4002],
      [{ protocol: 'webrtc', sdp: 'v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0' }, 4016],
    ];
    for (const [i, [d, code]] of cases.entries()) {
      const userId = `hostile-${i}`;
      const { token } = server.allocate({ guildId: 'g', channelId: 'h', userId, sessionId: 's' });
      const socket = await RawVoiceSocket.open(`ws://127.0.0.1:${server.address().port}/?v=8`);
      await socket.next(VoiceOpcode.Hello);
      socket.send(VoiceOpcode.Identify, { server_id: 'g', user_id: userId, session_id: 's', token });
      await socket.next(VoiceOpcode.Ready);
      socket.send(VoiceOpcode.SelectProtocol, d);
      expect(await socket.closed()).toBe(code);
    }
    // Still serving, and an offer with an extra sending m-line gets it answered inactive.
    const peer = await WebRtcTestPeer.join(server, 'g', 'h', 'after');
    await peer.connect(1, 1);
    expect(peer.answer).toMatch(/a=inactive/);
    await peer.close();
  }, 30_000);
});
