// Issue #12 item 4: the SFU must not be aimable at an address the client never proved it owns (traffic reflector).
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { VoiceCloseCode, VoiceOpcode } from '@concord/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EncryptionMode } from '../src/crypto/modes.js';
import { PacketCipher } from '../src/crypto/PacketCipher.js';
import { buildRtpHeader } from '../src/rtp/RtpHeader.js';
import { Sfu, type SfuMember } from '../src/server/Sfu.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { buildIpDiscoveryRequest, IP_DISCOVERY_SIZE, parseIpDiscoveryResponse } from '../src/udp/ipDiscovery.js';
import { RawVoiceSocket, waitFor } from './helpers.js';

const MODE: EncryptionMode = 'aead_aes256_gcm_rtpsize';
let server: VoiceServer;
let udpPort: number;
const sockets: Socket[] = [];
const gateways: RawVoiceSocket[] = [];

beforeAll(async () => {
  server = await createVoiceServer({ heartbeatInterval: 5_000 });
  udpPort = server.address().udpPort;
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function udpSocket(): Promise<{ socket: Socket; inbox: Buffer[]; port: number }> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  const inbox: Buffer[] = [];
  socket.on('message', (msg) => inbox.push(msg));
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return { socket, inbox, port: socket.address().port };
}

async function identify(channelId: string, userId: string): Promise<{ ws: RawVoiceSocket; ssrc: number }> {
  const { token } = server.allocate({ guildId: 'g', channelId, userId, sessionId: userId });
  const ws = await RawVoiceSocket.open(`ws://127.0.0.1:${server.address().port}/?v=8`);
  gateways.push(ws);
  ws.send(VoiceOpcode.Identify, { server_id: 'g', user_id: userId, session_id: userId, token });
  const ready = await ws.next(VoiceOpcode.Ready);
  return { ws, ssrc: ready.d.ssrc as number };
}

async function selectProtocol(ws: RawVoiceSocket, address: string, port: number): Promise<Uint8Array> {
  ws.send(VoiceOpcode.SelectProtocol, { protocol: 'udp', data: { address, port, mode: MODE } });
  return Uint8Array.from((await ws.next(VoiceOpcode.SessionDescription)).d.secret_key as number[]);
}

/** Sends `count` sealed RTP packets for `ssrc` from `socket`, paced so loopback never overflows. */
async function speak(socket: Socket, tx: PacketCipher, ssrc: number, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) {
    const header = buildRtpHeader({ sequence: i, timestamp: i * 960, ssrc });
    socket.send(tx.seal(header, Buffer.from(`frame-${i}`)), udpPort, '127.0.0.1');
    if (i % 10 === 9) await sleep(2);
  }
}

/** A well-behaved member: IP discovery from its own socket, then Select Protocol with what discovery said. */
async function honest(channelId: string, userId: string) {
  const { ws, ssrc } = await identify(channelId, userId);
  const udp = await udpSocket();
  udp.socket.send(buildIpDiscoveryRequest(ssrc), udpPort, '127.0.0.1');
  await waitFor(() => udp.inbox.length > 0, 3000, 'discovery');
  const answer = parseIpDiscoveryResponse(udp.inbox.shift()!)!;
  const key = await selectProtocol(ws, answer.address, answer.port);
  return { ws, ssrc, key, ...udp, tx: new PacketCipher(MODE, key, { initialCounter: 1 }) };
}

describe('media goes only to an address the member proved', () => {
  it('sends nothing to an address claimed in Select Protocol without IP discovery (20 sessions aimed at a victim)', async () => {
    const victim = await udpSocket();
    const speaker = await honest('reflect', 'speaker');
    const listener = await honest('reflect', 'listener');
    for (let i = 0; i < 20; i++) {
      const attacker = await identify('reflect', `attacker-${i}`);
      await selectProtocol(attacker.ws, '127.0.0.1', victim.port);
    }
    const received = server.stats.received;
    await speak(speaker.socket, speaker.tx, speaker.ssrc, 0, 30);
    await waitFor(() => listener.inbox.length >= 30, 5000, 'the honest listener hears the speaker');
    await waitFor(() => server.stats.received >= received + 30);
    await sleep(100);
    expect(victim.inbox).toEqual([]);
  });

  it('binds a member that skipped IP discovery to the source of its first authenticated packet, not to its claim', async () => {
    const victim = await udpSocket();
    const speaker = await honest('latch', 'latch-speaker');
    const { ws, ssrc } = await identify('latch', 'latch-member');
    const own = await udpSocket();
    const key = await selectProtocol(ws, '127.0.0.1', victim.port);
    const tx = new PacketCipher(MODE, key, { initialCounter: 1 });
    // Before it proved anything, the member gets nothing (and neither does the claimed address).
    await speak(speaker.socket, speaker.tx, speaker.ssrc, 0, 5);
    await sleep(100);
    expect(own.inbox).toEqual([]);
    // One authenticated packet from its own socket proves that address.
    await speak(own.socket, tx, ssrc, 0, 1);
    await waitFor(() => speaker.inbox.length >= 1, 3000, 'the speaker hears the member');
    await speak(speaker.socket, speaker.tx, speaker.ssrc, 5, 10);
    await waitFor(() => own.inbox.length >= 10, 3000, 'audio at the proven address');
    expect(victim.inbox).toEqual([]);
  });

  it('keeps the first proven address: a later discovery or a decryptable packet from elsewhere moves nothing', async () => {
    const speaker = await honest('pin', 'pin-speaker');
    const { ws, ssrc } = await identify('pin', 'pin-member');
    const first = await udpSocket();
    const other = await udpSocket();
    first.socket.send(buildIpDiscoveryRequest(ssrc), udpPort, '127.0.0.1');
    await waitFor(() => first.inbox.length > 0, 3000, 'discovery');
    first.inbox.length = 0;
    // Before the member has a key: another source asks for the same SSRC.
    const wrong = server.stats.dropped.wrongAddress;
    other.socket.send(buildIpDiscoveryRequest(ssrc), udpPort, '127.0.0.1');
    await waitFor(() => server.stats.dropped.wrongAddress > wrong, 3000, 'second discovery refused');
    const key = await selectProtocol(ws, '127.0.0.1', first.port);
    // With the key: an authenticated packet from the other socket does not move the binding either.
    const tx = new PacketCipher(MODE, key, { initialCounter: 1 });
    const wrongAgain = server.stats.dropped.wrongAddress;
    await speak(other.socket, tx, ssrc, 0, 1);
    await waitFor(() => server.stats.dropped.wrongAddress > wrongAgain, 3000, 'packet from elsewhere dropped');
    await speak(speaker.socket, speaker.tx, speaker.ssrc, 0, 10);
    await waitFor(() => first.inbox.length >= 10, 3000, 'audio at the first address');
    await sleep(50);
    expect(other.inbox).toEqual([]);
    expect(speaker.inbox).toEqual([]);
  });

  it.each(['localhost', 'example.invalid', '127.0.0.1.nip.io', '', '127.0.0.1:80', '999.1.1.1'])(
    'refuses %j in Select Protocol (an IP literal is required) with 4020',
    async (address) => {
      const { ws } = await identify('names', `names-${address}`);
      ws.send(VoiceOpcode.SelectProtocol, { protocol: 'udp', data: { address, port: 5000, mode: MODE } });
      expect(await ws.closed()).toBe(VoiceCloseCode.BadRequest);
      expect(ws.messages.some((m) => m.op === VoiceOpcode.SessionDescription)).toBe(false);
    },
  );

  it('accepts IPv4 and IPv6 literals as the (unused) hint', async () => {
    for (const address of ['203.0.113.7', '::1', '2001:db8::1']) {
      const { ws } = await identify('literals', `lit-${address}`);
      await selectProtocol(ws, address, 5000);
    }
  });
});

describe('IP discovery (in process)', () => {
  function setup() {
    const sent: { packet: Buffer; port: number; address: string }[] = [];
    const sfu = new Sfu((packet, port, address) => sent.push({ packet, port, address }));
    const member: SfuMember = {
      userId: 'u',
      ssrc: 4242,
      room: 'r',
      mode: null,
      cipher: null,
      remote: null,
      muted: false,
      deafened: false,
      silenceRun: 0,
    };
    sfu.add(member);
    return { sfu, sent, member };
  }

  it('answers only a known SSRC, never with more bytes than the request, and binds only the first source', () => {
    const { sfu, sent, member } = setup();
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.constantFrom('10.0.0.1', '10.0.0.2', '192.0.2.9'),
        fc.integer({ min: 1, max: 65535 }),
        (ssrc, address, port) => {
          const before = sent.length;
          const request = buildIpDiscoveryRequest(ssrc);
          sfu.handle(request, address, port);
          const answers = sent.slice(before);
          expect(answers.length).toBeLessThanOrEqual(1);
          for (const a of answers) {
            expect(a.packet.length).toBeLessThanOrEqual(request.length);
            expect(a.packet.length).toBe(IP_DISCOVERY_SIZE);
            expect(ssrc).toBe(member.ssrc);
            // Answers go only to the address the member is bound to: the first one that asked.
            expect({ address: a.address, port: a.port }).toEqual(member.remote);
          }
          if (ssrc !== member.ssrc) expect(answers).toEqual([]);
        },
      ),
      {
        numRuns: 300,
        examples: [
          [4242, '10.0.0.1', 5000],
          [4242, '10.0.0.2', 6000],
          [4242, '10.0.0.1', 5000],
        ],
      },
    );
    expect(member.remote).toEqual({ address: '10.0.0.1', port: 5000 });
  });
});
