import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';

// The kernel's answers a test cannot provoke on loopback (fewer datagrams taken, a full send buffer), scripted.
const answers: number[] = [];
const calls: { from: number; count: number }[] = [];
vi.mock('../src/nativeBinding.js', () => ({
  nativeBinding: () => ({
    sendBatch: (_fd: number, _arena: Uint8Array, _meta: Uint32Array, from: number, count: number) => {
      calls.push({ from, count });
      const answer = answers.shift();
      return answer === undefined ? count : answer;
    },
  }),
  isUdpBatchSupported: () => true,
}));
const { UdpBatch } = await import('../src/UdpBatch.js');

const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
  answers.length = 0;
  calls.length = 0;
});

async function bound(): Promise<Socket> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return socket;
}

describe('UdpBatch partial sends', () => {
  it('sends the rest when the kernel takes fewer datagrams than asked', async () => {
    const batch = new UdpBatch(await bound());
    for (let i = 0; i < 10; i++) batch.send(Buffer.from([i]), 1000 + i, '127.0.0.1');
    answers.push(3, 4);
    batch.flush();
    expect(calls).toEqual([
      { from: 0, count: 10 },
      { from: 3, count: 7 },
      { from: 7, count: 3 },
    ]);
    expect(batch.stats).toMatchObject({ sent: 10, syscalls: 3, failed: 0, viaSocket: 0 });
  });

  it('skips only the datagram whose destination is refused', async () => {
    const batch = new UdpBatch(await bound());
    for (let i = 0; i < 5; i++) batch.send(Buffer.from([i]), 1000 + i, '127.0.0.1');
    answers.push(2, -13); // two sent, then EACCES for the third
    batch.flush();
    expect(calls.map((c) => c.from)).toEqual([0, 2, 3]);
    expect(batch.stats).toMatchObject({ sent: 4, failed: 1 });
  });

  it('hands the rest to the socket (in order) when its send buffer is full', async () => {
    const sender = await bound();
    const receiver = await bound();
    const port = receiver.address().port;
    const got: string[] = [];
    const all = new Promise<void>((resolve) =>
      receiver.on('message', (m) => {
        got.push(String(m));
        if (got.length === 4) resolve();
      }),
    );
    const batch = new UdpBatch(sender);
    for (let i = 0; i < 6; i++) batch.send(Buffer.from(`d${i}`), port, '127.0.0.1');
    answers.push(2, -11); // two sent (not really: scripted), then EAGAIN
    batch.flush();
    expect(batch.stats).toMatchObject({ sent: 2, viaSocket: 4, failed: 0 });
    // The arena is reused at once: what the socket still holds are copies.
    batch.send(Buffer.from('overwrite'), 9, '127.0.0.1');
    await all;
    expect(got).toEqual(['d2', 'd3', 'd4', 'd5']);
  });
});
