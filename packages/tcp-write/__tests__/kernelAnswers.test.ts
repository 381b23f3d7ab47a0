import { afterEach, describe, expect, it, vi } from 'vitest';
import { pattern, readBytes, socketPair } from './helpers.js';

// The kernel's answers loopback rarely gives on demand (part of a write taken, none, an error), scripted.
const answers: number[] = [];
vi.mock('../src/nativeBinding.js', () => ({
  nativeBinding: {
    send: (_fd: number, _bytes: Uint8Array, start: number, end: number) => answers.shift() ?? end - start,
  },
  isTcpWriteSupported: () => true,
}));
const { directFd, writeDirect } = await import('../src/index.js');

const open: (() => void)[] = [];
afterEach(() => {
  for (const close of open.splice(0)) close();
  answers.length = 0;
});

describe('writeDirect when the kernel does not take everything', () => {
  it.each([
    ['part of it taken', 4, 4],
    ['nothing taken (EAGAIN)', -11, 0],
    ['an error answered (EPIPE): socket.write meets it again', -32, 0],
  ])('%s: the rest goes through socket.write, copied', async (_what, answer, taken) => {
    const p = await socketPair();
    open.push(p.close);
    const fd = directFd(p.server);
    expect(fd).toBeGreaterThanOrEqual(0);
    const bytes = pattern(10);
    answers.push(answer);
    // The mock sent nothing for real: the peer gets only what went through socket.write.
    const arrived = readBytes(p.client, 10 - taken);
    expect(writeDirect(p.server, fd, bytes, 0, 10)).toBe(taken);
    bytes.fill(0);
    expect((await arrived).equals(pattern(10).subarray(taken))).toBe(true);
  });
});
