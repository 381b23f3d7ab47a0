import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { jsBackend, sodiumBackend } from '../src/crypto/backends.js';
import { ENCRYPTION_MODES, type EncryptionMode } from '../src/crypto/modes.js';
import { generateSecretKey, PacketCipher } from '../src/crypto/PacketCipher.js';
import { buildRtpHeader } from '../src/rtp/RtpHeader.js';
import { createDatagramSender } from '../src/server/createDatagramSender.js';
import type { DatagramSender } from '../src/server/DatagramSender.js';
import { Sfu, type SfuMember } from '../src/server/Sfu.js';

const EXTENSION = { profile: 0xbede, body: Buffer.from([0x10, 0x7f, 0x00, 0x00, 0x51, 0x00, 0x00, 0x00]) };
const payload = Buffer.alloc(160, 0x5c);

/** A DatagramSender that records each flush's datagrams. */
class RecordingSender implements DatagramSender {
  public buffer = Buffer.alloc(1 << 16);
  public queued: { packet: Buffer; port: number; address: string }[] = [];
  public flushes: { packet: Buffer; port: number; address: string }[][] = [];
  #used = 0;
  reserve(size: number): number {
    if (this.#used + size > this.buffer.length) this.flush();
    return this.#used;
  }
  commit(at: number, end: number, port: number, address: string): void {
    this.queued.push({ packet: Buffer.from(this.buffer.subarray(at, end)), port, address });
    this.#used = end;
  }
  send(packet: Uint8Array, port: number, address: string): void {
    const at = this.reserve(packet.length);
    this.buffer.set(packet, at);
    this.commit(at, at + packet.length, port, address);
  }
  flush(): void {
    if (this.queued.length > 0) this.flushes.push(this.queued);
    this.queued = [];
    this.#used = 0;
  }
}

describe('PacketCipher.sealInto', () => {
  const backends = [jsBackend, ...(sodiumBackend ? [sodiumBackend] : [])];
  it.each(ENCRYPTION_MODES.flatMap((mode) => backends.map((backend) => [mode, backend.name] as const)))(
    '%s (%s): the same datagram as seal, written at an offset',
    (mode: EncryptionMode, name) => {
      const backend = backends.find((b) => b.name === name)!;
      const key = generateSecretKey();
      const a = new PacketCipher(mode, key, { backend, initialCounter: 7 });
      const b = new PacketCipher(mode, key, { backend, initialCounter: 7 });
      const rx = new PacketCipher(mode, key, { backend });
      for (const [i, extension] of [undefined, EXTENSION].entries()) {
        const header = buildRtpHeader({
          sequence: i,
          timestamp: i * 960,
          ssrc: 42,
          ...(extension ? { extension } : {}),
        });
        const sealed = a.seal(header, payload);
        expect(sealed.length).toBe(a.sealedLength(header, payload));
        const out = Buffer.alloc(600, 0xee);
        const end = b.sealInto(header, payload, out, 33);
        expect(end - 33).toBe(sealed.length);
        expect(out[32]).toBe(0xee);
        expect(out[end]).toBe(0xee);
        // The nonce is random in the suffix mode: there only the opening is compared.
        if (mode !== 'xsalsa20_poly1305_suffix') expect(out.subarray(33, end)).toEqual(sealed);
        const opened = rx.open(out.subarray(33, end));
        expect(opened.payload).toEqual(payload);
        expect(opened.header).toEqual(header);
      }
    },
  );
});

function member(userId: string, ssrc: number, mode: EncryptionMode, key = generateSecretKey(), counter?: number) {
  const m: SfuMember = {
    userId,
    ssrc,
    room: 'r',
    mode,
    cipher: new PacketCipher(mode, key, counter === undefined ? {} : { initialCounter: counter }),
    remote: null,
    muted: false,
    deafened: false,
    silenceRun: 0,
  };
  return { m, key };
}

describe('Sfu with a DatagramSender', () => {
  it.each(['aead_aes256_gcm_rtpsize', 'aead_xchacha20_poly1305_rtpsize'] as const)(
    '%s: one flush per incoming packet, every listener gets its own sealed copy',
    (mode) => {
      const sender = new RecordingSender();
      const sfu = new Sfu(sender);
      const speaker = member('s', 1, mode);
      sfu.add(speaker.m);
      sfu.bindRemote(speaker.m, '10.0.0.1', 1000);
      const listeners = [2, 3, 4].map((ssrc) => member(`l${ssrc}`, ssrc, mode));
      for (const l of listeners) {
        sfu.add(l.m);
        sfu.bindRemote(l.m, '10.0.0.2', 2000 + l.m.ssrc);
      }
      const tx = new PacketCipher(mode, speaker.key, { initialCounter: 1 });
      for (let seq = 0; seq < 3; seq++) {
        const header = buildRtpHeader({ sequence: seq, timestamp: seq * 960, ssrc: 1, extension: EXTENSION });
        sfu.handle(tx.seal(header, payload), '10.0.0.1', 1000);
      }
      expect(sender.flushes).toHaveLength(3);
      for (const flush of sender.flushes) {
        expect(flush.map((d) => d.port)).toEqual([2002, 2003, 2004]);
        for (const [i, d] of flush.entries()) {
          const rx = new PacketCipher(mode, listeners[i]!.key, { replayProtection: false });
          expect(rx.open(d.packet).payload).toEqual(payload);
        }
      }
      expect(sfu.stats.forwarded).toBe(9);
    },
  );

  it('a listener whose nonce counter ran out is skipped; the others still get theirs', () => {
    const mode = 'aead_aes256_gcm_rtpsize';
    const sender = new RecordingSender();
    const sfu = new Sfu(sender);
    const exhausted: string[] = [];
    sfu.onCipherExhausted = (m) => exhausted.push(m.userId);
    const speaker = member('s', 1, mode);
    sfu.add(speaker.m);
    sfu.bindRemote(speaker.m, '10.0.0.1', 1000);
    const a = member('a', 2, mode);
    const b = member('b', 3, mode, generateSecretKey(), 0xffffffff);
    const c = member('c', 4, mode);
    for (const l of [a, b, c]) {
      sfu.add(l.m);
      sfu.bindRemote(l.m, '10.0.0.2', 2000 + l.m.ssrc);
    }
    const tx = new PacketCipher(mode, speaker.key, { initialCounter: 1 });
    for (let seq = 0; seq < 2; seq++) {
      sfu.handle(tx.seal(buildRtpHeader({ sequence: seq, timestamp: 0, ssrc: 1 }), payload), '10.0.0.1', 1000);
    }
    expect(sender.flushes.map((f) => f.map((d) => d.port))).toEqual([
      [2002, 2003, 2004],
      [2002, 2004],
    ]);
    expect(exhausted).toEqual(['b']);
    expect(sfu.stats.dropped.exhausted).toBe(1);
  });

  it('a send from outside handle (e.g. the video plane) is flushed in a microtask', async () => {
    const sender = new RecordingSender();
    const sfu = new Sfu(sender);
    const l = member('l', 2, 'aead_aes256_gcm_rtpsize');
    sfu.add(l.m);
    sfu.bindRemote(l.m, '10.0.0.2', 2002);
    expect(sfu.deliver(l.m, buildRtpHeader({ sequence: 0, timestamp: 0, ssrc: 9 }), payload)).toBe(true);
    expect(sender.flushes).toHaveLength(0);
    await Promise.resolve();
    expect(sender.flushes).toHaveLength(1);
  });
});

describe('createDatagramSender', () => {
  const sockets: Socket[] = [];
  afterAll(() => {
    for (const s of sockets) s.close();
  });

  it('is null when batching is off; sends what it queues to the right address otherwise (native or not)', async () => {
    const server = createSocket('udp4');
    const client = createSocket('udp4');
    sockets.push(server, client);
    expect(createDatagramSender(server, false)).toBeNull();
    server.bind(0, '127.0.0.1');
    client.bind(0, '127.0.0.1');
    await Promise.all([once(server, 'listening'), once(client, 'listening')]);
    const sender = createDatagramSender(server, true);
    if (!sender) return; // the optional native module is not built here: the SFU uses socket.send
    const got = once(client, 'message');
    sender.send(Buffer.from('hello'), client.address().port, '127.0.0.1');
    sender.flush();
    const [msg, rinfo] = await got;
    expect(String(msg)).toBe('hello');
    expect(rinfo.port).toBe(server.address().port);
  });
});
