import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { VoiceOpcode } from '@concord/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EncryptionMode } from '../src/crypto/modes.js';
import { type OpenedRtp, PacketCipher } from '../src/crypto/PacketCipher.js';
import { buildRtpHeader } from '../src/rtp/RtpHeader.js';
import { Sfu } from '../src/server/Sfu.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { buildIpDiscoveryRequest, parseIpDiscoveryResponse } from '../src/udp/ipDiscovery.js';
import { RawVoiceSocket, waitFor } from './helpers.js';

let server: VoiceServer;
let udpPort: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = await createVoiceServer({ heartbeatInterval: 5_000 });
  udpPort = server.address().udpPort;
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

async function udpSocket(): Promise<{ socket: Socket; inbox: Buffer[] }> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  const inbox: Buffer[] = [];
  socket.on('message', (msg) => inbox.push(msg));
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return { socket, inbox };
}

/** A member driven by hand: gateway Identify, UDP discovery, Select Protocol; decrypts what it receives. */
async function member(channelId: string, userId: string, mode: EncryptionMode) {
  const { token } = server.allocate({ guildId: 'g', channelId, userId, sessionId: userId });
  const ws = await RawVoiceSocket.open(`ws://127.0.0.1:${server.address().port}/?v=8`);
  ws.send(VoiceOpcode.Identify, { server_id: 'g', user_id: userId, session_id: userId, token });
  const ready = await ws.next(VoiceOpcode.Ready);
  const ssrc: number = ready.d.ssrc;
  const { socket, inbox } = await udpSocket();
  socket.send(buildIpDiscoveryRequest(ssrc), udpPort, '127.0.0.1');
  await waitFor(() => inbox.length > 0, 3000, 'discovery');
  const discovery = inbox.shift()!;
  ws.send(VoiceOpcode.SelectProtocol, { protocol: 'udp', data: { address: '127.0.0.1', port: 1, mode } });
  const key = Uint8Array.from((await ws.next(VoiceOpcode.SessionDescription)).d.secret_key as number[]);
  const tx = new PacketCipher(mode, key, { initialCounter: 1 });
  const receivers = new Map<number, PacketCipher>();
  let seq = 0;
  return {
    ws,
    ssrc,
    socket,
    inbox,
    discovery,
    key,
    send(payload: Uint8Array, extra: Parameters<typeof buildRtpHeader>[0] | null = null) {
      const header = buildRtpHeader(extra ?? { sequence: seq, timestamp: seq * 960, ssrc });
      seq++;
      const packet = tx.seal(header, payload);
      socket.send(packet, udpPort, '127.0.0.1');
      return packet;
    },
    /** Decrypts everything received so far (per sending SSRC, as a client must). */
    opened(): OpenedRtp[] {
      return inbox.splice(0).map((msg) => {
        const from = msg.readUInt32BE(8);
        let rx = receivers.get(from);
        if (!rx) {
          rx = new PacketCipher(mode, key);
          receivers.set(from, rx);
        }
        return rx.open(msg);
      });
    },
  };
}

describe('UDP: IP discovery and keepalives', () => {
  it('answers discovery with 74 bytes: type 2, length 70, SSRC, NUL-terminated address, port', async () => {
    const a = await member('disc', 'disc-a', 'aead_aes256_gcm_rtpsize');
    const d = a.discovery;
    expect(d.length).toBe(74);
    expect(d.readUInt16BE(0)).toBe(2);
    expect(d.readUInt16BE(2)).toBe(70);
    expect(d.readUInt32BE(4)).toBe(a.ssrc);
    expect(d.subarray(8, 8 + '127.0.0.1'.length).toString()).toBe('127.0.0.1');
    expect(d[8 + '127.0.0.1'.length]).toBe(0);
    expect(d.readUInt16BE(72)).toBe(a.socket.address().port);
    expect(parseIpDiscoveryResponse(d)).toEqual({ ssrc: a.ssrc, address: '127.0.0.1', port: a.socket.address().port });

    // Keepalives are echoed to members, not to strangers.
    const keepalive = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);
    a.socket.send(keepalive, udpPort, '127.0.0.1');
    await waitFor(() => a.inbox.length > 0, 3000, 'keepalive echo');
    expect(a.inbox.shift()).toEqual(keepalive);
    const stranger = await udpSocket();
    const before = server.stats.dropped.garbage;
    stranger.socket.send(keepalive, udpPort, '127.0.0.1');
    // An unknown SSRC gets no discovery answer either.
    const unknownBefore = server.stats.dropped.unknownSsrc;
    stranger.socket.send(buildIpDiscoveryRequest(a.ssrc ^ 1), udpPort, '127.0.0.1');
    await waitFor(() => server.stats.dropped.garbage > before && server.stats.dropped.unknownSsrc > unknownBefore);
    // Nor can a stranger re-bind an established member's SSRC to itself.
    const wrongBefore = server.stats.dropped.wrongAddress;
    stranger.socket.send(buildIpDiscoveryRequest(a.ssrc), udpPort, '127.0.0.1');
    await waitFor(() => server.stats.dropped.wrongAddress > wrongBefore);
    expect(stranger.inbox).toEqual([]);
    a.ws.close();
  });
});

describe('SFU forwarding', () => {
  it('re-encrypts each packet for every listener in its own mode, keeping the speaker SSRC and header', async () => {
    const a = await member('mix', 'mix-a', 'aead_aes256_gcm_rtpsize');
    const b = await member('mix', 'mix-b', 'xsalsa20_poly1305');
    const c = await member('mix', 'mix-c', 'aead_xchacha20_poly1305_rtpsize');
    const ext = { profile: 0xbede, body: Buffer.from([0x10, 0x7f, 0, 0]) };
    const payloads = [Buffer.from('opus-frame-1'), Buffer.from('opus-frame-2'), Buffer.from('opus-frame-3')];
    for (const [i, p] of payloads.entries()) {
      a.send(p, { sequence: 100 + i, timestamp: 960 * i, ssrc: a.ssrc, csrcs: [7], extension: ext });
    }
    await waitFor(() => b.inbox.length >= 3 && c.inbox.length >= 3, 3000, 'forwarded packets');
    const rawC = c.inbox.slice(0, 3);
    for (const got of [b.opened(), c.opened()]) {
      expect(got.map((o) => o.payload)).toEqual(payloads);
      expect(got.map((o) => o.ssrc)).toEqual([a.ssrc, a.ssrc, a.ssrc]);
      expect(got.map((o) => o.sequence)).toEqual([100, 101, 102]);
      expect(got[0]!.extension).toEqual({ profile: 0xbede, body: ext.body });
    }
    // Each listener's packets carry that listener's own consecutive nonce counter.
    const counters = rawC.map((m) => m.readUInt32BE(m.length - 4));
    expect(counters[1]! - counters[0]!).toBe(1);
    expect(counters[2]! - counters[1]!).toBe(1);
    // The speaker does not hear itself.
    expect(a.inbox).toEqual([]);
    for (const m of [a, b, c]) m.ws.close();
  });

  it('drops replays, packets from another address, server-muted speakers, and feeds nobody deafened', async () => {
    const a = await member('rules', 'rules-a', 'xsalsa20_poly1305_lite');
    const b = await member('rules', 'rules-b', 'xsalsa20_poly1305_suffix');
    const c = await member('rules', 'rules-c', 'aead_aes256_gcm_rtpsize');
    const packet = a.send(Buffer.from('first'));
    await waitFor(() => b.inbox.length === 1 && c.inbox.length === 1);
    const stats = () => server.stats.dropped;

    const replays = stats().replay;
    a.socket.send(packet, udpPort, '127.0.0.1');
    await waitFor(() => stats().replay === replays + 1, 3000, 'replay drop');

    const wrong = stats().wrongAddress;
    const spoof = await udpSocket();
    spoof.socket.send(packet, udpPort, '127.0.0.1');
    await waitFor(() => stats().wrongAddress === wrong + 1, 3000, 'wrong address drop');

    server.setDeaf('rules-b');
    a.send(Buffer.from('second'));
    await waitFor(() => c.inbox.length === 2, 3000, 'c gets second');
    server.setDeaf('rules-b', false);

    const muted = stats().muted;
    server.setMute('rules-a');
    a.send(Buffer.from('muted'));
    await waitFor(() => stats().muted === muted + 1, 3000, 'muted drop');
    server.setMute('rules-a', false);
    a.send(Buffer.from('third'));
    await waitFor(() => c.inbox.length === 3 && b.inbox.length === 2, 3000, 'third');
    expect(b.opened().map((o) => o.payload.toString())).toEqual(['first', 'third']);
    expect(c.opened().map((o) => o.payload.toString())).toEqual(['first', 'second', 'third']);
    for (const m of [a, b, c]) m.ws.close();
  });

  it('forwards the first five silence frames in a row and no more', async () => {
    const a = await member('quiet', 'quiet-a', 'aead_xchacha20_poly1305_rtpsize');
    const b = await member('quiet', 'quiet-b', 'aead_xchacha20_poly1305_rtpsize');
    const silence = Buffer.from([0xf8, 0xff, 0xfe]);
    for (let i = 0; i < 8; i++) a.send(silence);
    a.send(Buffer.from('voice'));
    a.send(silence);
    await waitFor(() => b.inbox.length >= 7, 3000, 'silence + voice');
    await waitFor(() => server.stats.dropped.silence >= 3);
    const got = b.opened().map((o) => o.payload.toString('hex'));
    expect(got).toEqual([...Array(5).fill('f8fffe'), Buffer.from('voice').toString('hex'), 'f8fffe']);
    for (const m of [a, b]) m.ws.close();
  });

  it('drops datagram garbage with a counter and keeps serving', async () => {
    const a = await member('junk', 'junk-a', 'aead_aes256_gcm_rtpsize');
    const b = await member('junk', 'junk-b', 'aead_aes256_gcm_rtpsize');
    const junk = fc.sample(
      fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        // RTP-looking packets with a member's SSRC but forged contents.
        fc.uint8Array({ minLength: 12, maxLength: 120 }).map((u) => {
          const buf = Buffer.from(u);
          buf[0] = 0x80;
          buf[1] = 0x78;
          buf.writeUInt32BE(a.ssrc, 8);
          return buf;
        }),
      ),
      300,
    );
    const received = server.stats.received;
    for (const [i, packet] of junk.entries()) {
      a.socket.send(packet, udpPort, '127.0.0.1');
      // Paced so the kernel's receive buffer never overflows (loopback drops silently when it does).
      if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await waitFor(() => server.stats.received >= received + junk.length, 5000, 'junk counted');
    const d = server.stats.dropped;
    expect(d.garbage + d.decrypt + d.malformed + d.rtcp + d.unknownSsrc + d.replay + d.wrongAddress).toBeGreaterThan(0);
    a.send(Buffer.from('still alive'));
    await waitFor(() => b.opened().some((o) => o.payload.toString() === 'still alive'), 3000, 'real packet after junk');
    for (const m of [a, b]) m.ws.close();
  });
});

describe('Sfu.handle (in process)', () => {
  it('never throws, whatever the datagram, and counts every one', () => {
    const sent: Buffer[] = [];
    const sfu = new Sfu((p) => sent.push(p));
    const key = new Uint8Array(32).fill(3);
    for (const [i, mode] of (['aead_aes256_gcm_rtpsize', 'xsalsa20_poly1305'] as const).entries()) {
      const m = {
        userId: `u${i}`,
        ssrc: 1000 + i,
        room: 'r',
        mode,
        cipher: new PacketCipher(mode, key),
        remote: null,
        muted: false,
        deafened: false,
        silenceRun: 0,
      };
      sfu.add(m);
      sfu.bindRemote(m, '10.0.0.1', 5000 + i);
    }
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.tuple(fc.uint8Array({ minLength: 12, maxLength: 100 }), fc.constantFrom(1000, 1001)).map(([u, ssrc]) => {
            const buf = Buffer.from(u);
            buf[0] = 0x80 | (buf[0]! & 0x3f);
            buf.writeUInt32BE(ssrc, 8);
            return buf;
          }),
        ),
        fc.constantFrom(5000, 5001, 6000),
        (input, port) => {
          const before = sfu.stats.received;
          expect(() => sfu.handle(Buffer.from(input), '10.0.0.1', port)).not.toThrow();
          expect(sfu.stats.received).toBe(before + 1);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('DAVE frames and listeners that cannot open them', () => {
  /** Three members in one room; the listeners record the payloads they get (opened with their own key). */
  function room(flags: { sender?: boolean; a?: boolean; b?: boolean }) {
    const received = new Map<number, Buffer[]>();
    const key = new Uint8Array(32).fill(9);
    const mode = 'aead_aes256_gcm_rtpsize' as const;
    const sfu = new Sfu((packet, port) => {
      const opened = new PacketCipher(mode, key).open(packet);
      received.get(port)?.push(Buffer.from(opened.payload));
    });
    const make = (i: number, plainOnly: boolean | undefined) => {
      const m = {
        userId: `u${i}`,
        ssrc: 2000 + i,
        room: 'r',
        mode,
        cipher: new PacketCipher(mode, key),
        remote: null,
        muted: false,
        deafened: false,
        silenceRun: 0,
        ...(plainOnly === undefined ? {} : { plainOnly }),
      };
      sfu.add(m);
      sfu.bindRemote(m, '127.0.0.1', 7000 + i);
      received.set(7000 + i, []);
      return m;
    };
    const sender = make(0, flags.sender);
    make(1, flags.a);
    make(2, flags.b);
    const send = (payload: Buffer) =>
      sfu.receive(sender, {
        header: buildRtpHeader({ payloadType: 120, sequence: 1, timestamp: 960, ssrc: 2000 }),
        payload,
        sequence: 1,
        timestamp: 960,
        ssrc: 2000,
        payloadType: 120,
        marker: false,
      } as OpenedRtp);
    return { sfu, send, a: received.get(7001)!, b: received.get(7002)! };
  }
  // An encrypted Opus frame as DAVE ends it: ciphertext ‖ tag (8) ‖ nonce (1) ‖ size byte ‖ 0xFAFA.
  const daveFrame = Buffer.concat([Buffer.alloc(40, 0x33), Buffer.alloc(8, 0x44), Buffer.from([5, 12, 0xfa, 0xfa])]);
  const opusFrame = Buffer.from([0x78, ...Buffer.alloc(60, 0x21)]);

  it('a DAVE frame reaches the DAVE listener only; a plain frame reaches both', () => {
    const { sfu, send, a, b } = room({ sender: false, a: false, b: true });
    send(daveFrame);
    expect(a).toEqual([daveFrame]);
    expect(b).toEqual([]);
    expect(sfu.stats.dropped.e2ee).toBe(1);
    send(opusFrame);
    expect(a).toEqual([daveFrame, opusFrame]);
    expect(b).toEqual([opusFrame]);
  });

  it('a sender that cannot do DAVE is never filtered, whatever its payload ends with', () => {
    const { sfu, send, a, b } = room({ sender: true, a: false, b: true });
    send(daveFrame);
    expect(a).toEqual([daveFrame]);
    expect(b).toEqual([daveFrame]);
    expect(sfu.stats.dropped.e2ee).toBe(0);
  });

  it('a marker without a plausible size is not taken for a DAVE frame', () => {
    const { send, b } = room({ sender: false, b: true });
    const odd = Buffer.concat([Buffer.alloc(20, 1), Buffer.from([200, 0xfa, 0xfa])]);
    send(odd);
    expect(b).toEqual([odd]);
  });
});
