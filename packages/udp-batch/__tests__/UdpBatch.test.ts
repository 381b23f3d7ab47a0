import { createDecipheriv, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { AesGcmSealer, isUdpBatchSupported, socketFd, UdpBatch, UdpBatchError } from '../src/index.js';

const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

async function bound(): Promise<Socket> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return socket;
}

/** Receivers that record what they get, and a promise of `total` datagrams in all. */
async function receivers(count: number, total: number) {
  const got: { to: number; body: string; from: number }[] = [];
  const list = await Promise.all(Array.from({ length: count }, bound));
  const done = new Promise<void>((resolve) => {
    for (const [to, socket] of list.entries()) {
      socket.on('message', (msg, rinfo) => {
        got.push({ to, body: msg.toString(), from: rinfo.port });
        if (got.length === total) resolve();
      });
    }
  });
  return { ports: list.map((s) => s.address().port), got, done };
}

describe.each([
  ['native sendmmsg', true],
  ['socket.send fallback', false],
])('UdpBatch (%s)', (_name, native) => {
  it('delivers every datagram to its address, in order per receiver, from the bound port', async () => {
    const sender = await bound();
    const { ports, got, done } = await receivers(5, 100);
    const batch = new UdpBatch(sender, { native });
    expect(batch.native).toBe(native && isUdpBatchSupported());
    for (let i = 0; i < 100; i++) {
      if (i % 2) batch.send(Buffer.from(`m${i}`), ports[i % 5]!, '127.0.0.1');
      else {
        // Written in place: reserve, write, commit.
        const body = Buffer.from(`m${i}`);
        const at = batch.reserve(body.length);
        body.copy(batch.buffer, at);
        batch.commit(at, at + body.length, ports[i % 5]!, '127.0.0.1');
      }
    }
    expect(batch.pending).toBe(100);
    expect(batch.flush()).toBe(100);
    await done;
    for (let to = 0; to < 5; to++) {
      const mine = got.filter((g) => g.to === to);
      expect(mine.map((g) => g.body)).toEqual(Array.from({ length: 20 }, (_, k) => `m${to + 5 * k}`));
      expect(new Set(mine.map((g) => g.from))).toEqual(new Set([sender.address().port]));
    }
    if (batch.native) expect(batch.stats).toMatchObject({ sent: 100, viaSocket: 0, failed: 0, syscalls: 1 });
    else expect(batch.stats).toMatchObject({ sent: 0, viaSocket: 100, failed: 0 });
  });

  it('flushes by itself when the batch is full, and reuses its arena', async () => {
    const sender = await bound();
    const { ports, got, done } = await receivers(1, 30);
    const batch = new UdpBatch(sender, { native, maxDatagrams: 8 });
    for (let i = 0; i < 30; i++) batch.send(Buffer.from(`x${i}`), ports[0]!, '127.0.0.1');
    expect(batch.pending).toBe(30 % 8);
    batch.flush();
    await done;
    expect(got.map((g) => g.body)).toEqual(Array.from({ length: 30 }, (_, i) => `x${i}`));
  });

  it('a datagram refused for its destination does not stop the others', async () => {
    const sender = await bound();
    const { ports, got, done } = await receivers(2, 4);
    const batch = new UdpBatch(sender, { native });
    batch.send(Buffer.from('a1'), ports[0]!, '127.0.0.1');
    // Broadcast without SO_BROADCAST: the kernel refuses this one (EACCES).
    batch.send(Buffer.from('refused'), 9, '255.255.255.255');
    batch.send(Buffer.from('b1'), ports[1]!, '127.0.0.1');
    batch.send(Buffer.from('bad port'), 0, '127.0.0.1');
    batch.send(Buffer.from('a2'), ports[0]!, '127.0.0.1');
    batch.send(Buffer.from('b2'), ports[1]!, '127.0.0.1');
    batch.flush();
    await done;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(got.map((g) => g.body).sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(batch.stats.failed).toBe(2);
  });
});

describe('UdpBatch', () => {
  it('sends through socket.send before the socket is bound to IPv4 (IPv6 socket)', async () => {
    const v6 = createSocket('udp6');
    sockets.push(v6);
    v6.bind(0, '::1');
    await once(v6, 'listening');
    const receiver = createSocket('udp6');
    sockets.push(receiver);
    receiver.bind(0, '::1');
    await once(receiver, 'listening');
    const batch = new UdpBatch(v6);
    expect(batch.native).toBe(false);
    const got = once(receiver, 'message');
    batch.send(Buffer.from('six'), receiver.address().port, '::1');
    batch.flush();
    expect(String((await got)[0])).toBe('six');
  });

  it('rejects bad options with a coded error', () => {
    const socket = createSocket('udp4');
    sockets.push(socket);
    expect(() => new UdpBatch(socket, { maxDatagrams: 0 })).toThrow(UdpBatchError);
    try {
      new UdpBatch(socket, { arenaBytes: 10 });
    } catch (error) {
      expect((error as UdpBatchError).code).toBe('BAD_ARGUMENT');
    }
  });

  it('finds the descriptor of a bound socket on Linux', async () => {
    const socket = await bound();
    if (process.platform === 'linux') expect(socketFd(socket)).toBeGreaterThan(2);
  });
});

describe.runIf(isUdpBatchSupported())('AesGcmSealer', () => {
  it('seals what node:crypto opens, at any offset', () => {
    const key = randomBytes(32);
    const sealer = new AesGcmSealer(key);
    const out = Buffer.alloc(1000);
    for (const [at, aadLength, size] of [
      [0, 12, 0],
      [17, 16, 160],
      [300, 0, 500],
    ] as const) {
      const aad = randomBytes(aadLength);
      const message = randomBytes(size);
      const iv = randomBytes(12);
      const end = sealer.seal(out, at, aad, message, iv);
      expect(end).toBe(at + aadLength + size + 16);
      expect(out.subarray(at, at + aadLength)).toEqual(aad);
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
      decipher.setAAD(aad);
      decipher.setAuthTag(out.subarray(end - 16, end));
      const plain = Buffer.concat([decipher.update(out.subarray(at + aadLength, end - 16)), decipher.final()]);
      expect(plain).toEqual(message);
    }
  });

  it('refuses a short key and a datagram past the buffer', () => {
    expect(() => new AesGcmSealer(new Uint8Array(16))).toThrow(UdpBatchError);
    const sealer = new AesGcmSealer(new Uint8Array(32));
    expect(() => sealer.seal(Buffer.alloc(20), 0, new Uint8Array(4), new Uint8Array(4), new Uint8Array(12))).toThrow();
  });
});
