// Video signalling over a real VoiceServer (WebSocket + UDP on loopback): Ready `streams` with server-allocated SSRCs,
// Select Protocol `codecs` → Session Description `video_codec`, op 12 validated and relayed (and replayed to late
// joiners), op 15, hostile payloads closing with 4020, and one keyframe + NACK/RTX round trip through the UDP path.
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { VoiceCloseCode, VoiceOpcode } from '@concord/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedRtp, PacketCipher } from '../src/crypto/PacketCipher.js';
import { isRtcp } from '../src/rtcp/Rtcp.js';
import { buildRtpHeader } from '../src/rtp/RtpHeader.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { buildIpDiscoveryRequest } from '../src/udp/ipDiscovery.js';
import { buildNack } from '../src/video/rtcpFeedback.js';
import { RawVoiceSocket, waitFor } from './helpers.js';
import { vp8Payload } from './video-sfu-harness.js';

const MODE = 'aead_aes256_gcm_rtpsize';
const MEDIA_SINK_WANTS = 15;
const SIMULCAST = [
  { type: 'video', rid: '100', quality: 100 },
  { type: 'screen', rid: '50', quality: 50 },
];
const CODECS = [
  { name: 'opus', type: 'audio', priority: 1000, payload_type: 120 },
  { name: 'H264', type: 'video', priority: 2000, payload_type: 101, rtx_payload_type: 102 },
  { name: 'VP8', type: 'video', priority: 1000, payload_type: 96, rtx_payload_type: 97 },
];

let server: VoiceServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = await createVoiceServer({ heartbeatInterval: 5_000 });
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

async function join(channelId: string, userId: string, extra: Record<string, unknown> = {}) {
  const { token } = server.allocate({ guildId: 'g', channelId, userId, sessionId: userId });
  const ws = await RawVoiceSocket.open(`ws://127.0.0.1:${server.address().port}/?v=8`);
  ws.send(VoiceOpcode.Identify, { server_id: 'g', user_id: userId, session_id: userId, token, ...extra });
  const ready = (await ws.next(VoiceOpcode.Ready)).d;
  return { ws, ready };
}

/** A member with a UDP socket and a key: sends sealed RTP/RTCP, decrypts what it receives. */
async function connect(channelId: string, userId: string, extra: Record<string, unknown>, codecs?: unknown) {
  const { ws, ready } = await join(channelId, userId, extra);
  const socket = createSocket('udp4');
  sockets.push(socket);
  const inbox: Buffer[] = [];
  socket.on('message', (msg) => inbox.push(msg));
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const udpPort = server.address().udpPort;
  socket.send(buildIpDiscoveryRequest(ready.ssrc), udpPort, '127.0.0.1');
  await waitFor(() => inbox.length > 0, 3000, 'discovery');
  inbox.shift();
  ws.send(VoiceOpcode.SelectProtocol, {
    protocol: 'udp',
    data: { address: '127.0.0.1', port: 1, mode: MODE },
    ...(codecs ? { codecs } : {}),
  });
  const description = (await ws.next(VoiceOpcode.SessionDescription)).d;
  const key = Uint8Array.from(description.secret_key as number[]);
  const tx = new PacketCipher(MODE, key, { initialCounter: 1 });
  const rx = new PacketCipher(MODE, key);
  return {
    ws,
    ready,
    description,
    send: (packet: Buffer) => socket.send(packet, udpPort, '127.0.0.1'),
    tx,
    rtp(): OpenedRtp[] {
      return inbox
        .splice(0)
        .filter((m) => !isRtcp(m))
        .map((m) => rx.open(m));
    },
    inbox,
  };
}

function announcement(ready: { ssrc: number; streams: { ssrc: number; rtx_ssrc: number; rid: string }[] }, on = true) {
  return {
    audio_ssrc: ready.ssrc,
    video_ssrc: on ? ready.streams[0]!.ssrc : 0,
    rtx_ssrc: on ? ready.streams[0]!.rtx_ssrc : 0,
    streams: ready.streams.map((s) => ({
      type: 'video',
      rid: s.rid,
      ssrc: s.ssrc,
      rtx_ssrc: s.rtx_ssrc,
      active: on,
      quality: 100,
      max_bitrate: 2_500_000,
      max_framerate: 30,
      max_resolution: { type: 'fixed', width: 1280, height: 720 },
    })),
  };
}

describe('video signalling', () => {
  it('Ready allocates one SSRC and one RTX SSRC per stream, unique across the node', async () => {
    const a = await join('alloc', 'a', { video: true, streams: SIMULCAST });
    const b = await join('alloc2', 'b', { video: true, streams: SIMULCAST });
    const plain = await join('alloc', 'c');
    const bare = await join('alloc', 'd', { video: true });
    expect(a.ready.streams).toHaveLength(2);
    expect(a.ready.streams.map((s: { type: string; rid: string }) => [s.type, s.rid])).toEqual([
      ['video', '100'],
      ['video', '50'],
    ]);
    expect(a.ready.streams.every((s: { active: boolean }) => s.active === false)).toBe(true);
    const all = [a, b].flatMap((m) => [
      m.ready.ssrc,
      ...m.ready.streams.flatMap((s: { ssrc: number; rtx_ssrc: number }) => [s.ssrc, s.rtx_ssrc]),
    ]);
    all.push(plain.ready.ssrc, bare.ready.ssrc);
    expect(new Set(all).size).toBe(all.length);
    expect(plain.ready.streams).toBeUndefined();
    expect(bare.ready.streams).toHaveLength(1);
    for (const m of [a, b, plain, bare]) m.ws.close();
  });

  it('Select Protocol codecs give Session Description a video_codec (none without codecs)', async () => {
    const a = await connect('codec', 'a', { video: true }, CODECS);
    expect(a.description.video_codec).toBe('VP8');
    expect(a.description.audio_codec).toBe('opus');
    const b = await connect('codec', 'b', {});
    expect(b.description.video_codec).toBeUndefined();
    a.ws.close();
    b.ws.close();
  });

  it('relays op 12 with user_id, replays it to late joiners, and relays camera off', async () => {
    const a = await join('relay', 'a', { video: true, streams: SIMULCAST });
    const b = await join('relay', 'b');
    a.ws.send(VoiceOpcode.Video, announcement(a.ready));
    const relayed = (await b.ws.next(VoiceOpcode.Video)).d;
    expect(relayed).toMatchObject({ user_id: 'a', ...announcement(a.ready) });
    const c = await join('relay', 'c');
    const late = (await c.ws.next(VoiceOpcode.Video)).d;
    expect(late).toMatchObject({ user_id: 'a', video_ssrc: a.ready.streams[0].ssrc });
    a.ws.send(VoiceOpcode.Video, announcement(a.ready, false));
    expect((await b.ws.next(VoiceOpcode.Video)).d).toMatchObject({ user_id: 'a', video_ssrc: 0 });
    expect((await c.ws.next(VoiceOpcode.Video)).d).toMatchObject({ user_id: 'a', video_ssrc: 0 });
    // A joiner after the camera went off is not told about it.
    const d = await join('relay', 'd');
    await d.ws.next(VoiceOpcode.ClientsConnect);
    await new Promise((r) => setTimeout(r, 50));
    expect(d.ws.messages.filter((m) => m.op === VoiceOpcode.Video)).toEqual([]);
    for (const m of [a, b, c, d]) m.ws.close();
  });

  it('closes with 4020 for SSRCs that are not the member own, bad codecs and bad op 15', async () => {
    const a = await join('bad', 'a', { video: true, streams: SIMULCAST });
    const b = await join('bad', 'b', { video: true, streams: SIMULCAST });
    // b announces a's video SSRC as its own.
    b.ws.send(VoiceOpcode.Video, { ...announcement(b.ready), video_ssrc: a.ready.streams[0].ssrc });
    expect(await b.ws.closed()).toBe(VoiceCloseCode.BadRequest);
    // A member without video announcing any.
    const c = await join('bad', 'c');
    c.ws.send(VoiceOpcode.Video, { audio_ssrc: c.ready.ssrc, video_ssrc: 1234, rtx_ssrc: 0, streams: [] });
    expect(await c.ws.closed()).toBe(VoiceCloseCode.BadRequest);
    const d = await join('bad', 'd');
    d.ws.send(VoiceOpcode.SelectProtocol, {
      protocol: 'udp',
      data: { address: '127.0.0.1', port: 1, mode: MODE },
      codecs: [{ name: 'VP8', type: 'video', priority: 1, payload_type: 300 }],
    });
    expect(await d.ws.closed()).toBe(VoiceCloseCode.BadRequest);
    const e = await join('bad', 'e');
    e.ws.send(MEDIA_SINK_WANTS, { any: 100, '123': 50 });
    e.ws.send(MEDIA_SINK_WANTS, { any: 'lots' });
    expect(await e.ws.closed()).toBe(VoiceCloseCode.BadRequest);
    // The relay never carried b's lie.
    expect(a.ws.messages.filter((m) => m.op === VoiceOpcode.Video)).toEqual([]);
    a.ws.close();
  });
});

describe('video over UDP', () => {
  it('forwards a keyframe to a receiver under the sender video SSRC with its payload type, and answers its NACK', async () => {
    const a = await connect('udp', 'a', { video: true, streams: [SIMULCAST[0]] }, CODECS);
    const b = await connect('udp', 'b', {});
    a.ws.send(VoiceOpcode.Video, announcement(a.ready));
    await b.ws.next(VoiceOpcode.Video);
    const ssrc = a.ready.streams[0].ssrc as number;
    for (let i = 0; i < 4; i++) {
      const header = buildRtpHeader({ sequence: 500 + i, timestamp: 9000 * i, ssrc, payloadType: 96, marker: true });
      a.send(a.tx.seal(header, vp8Payload(0, i === 0, true, 300)));
    }
    await waitFor(() => b.inbox.length >= 4, 3000, 'video at b');
    const got = b.rtp();
    expect(got.map((p) => [p.ssrc, p.payloadType])).toEqual(Array(4).fill([ssrc, 103]));
    b.send(b.tx.sealRtcp(buildNack(b.ready.ssrc, ssrc, [got[2]!.sequence])));
    await waitFor(() => b.inbox.length >= 1, 3000, 'rtx at b');
    const [rtx] = b.rtp();
    expect(rtx!.ssrc).toBe(a.ready.streams[0].rtx_ssrc);
    expect(rtx!.payloadType).toBe(104);
    expect(rtx!.payload.readUInt16BE(0)).toBe(got[2]!.sequence);
    expect(server.stats.video).toMatchObject({ rtxSent: 1, nacksAnswered: 1 });
    a.ws.close();
    b.ws.close();
  });
});
