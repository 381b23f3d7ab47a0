import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { directFd, isTcpWriteSupported, writeDirect } from '../src/index.js';
import { pattern, readBytes, socketPair } from './helpers.js';

const open: (() => void)[] = [];
afterEach(() => {
  for (const close of open.splice(0)) close();
});
async function pair() {
  const p = await socketPair();
  open.push(p.close);
  return p;
}

describe('tcp-write', () => {
  it.runIf(process.env.CI === 'true' && process.platform === 'linux')('is built on Linux in CI', () => {
    expect(isTcpWriteSupported()).toBe(true);
  });
});

describe.runIf(isTcpWriteSupported())('writeDirect', () => {
  it('sends the bytes at once, in order with socket.write before and after', async () => {
    const { server, client } = await pair();
    const arrived = readBytes(client, 30);
    server.write(pattern(10, 0));
    await new Promise((resolve) => server.write('', resolve)); // queued bytes gone: nothing left to overtake
    const fd = directFd(server);
    expect(fd).toBeGreaterThanOrEqual(0);
    const bytes = Buffer.concat([Buffer.from('xx'), pattern(10, 10), Buffer.from('yy')]);
    expect(writeDirect(server, fd, bytes, 2, 12)).toBe(10);
    expect(server.writableLength).toBe(0);
    server.write(pattern(10, 20));
    expect(await arrived).toEqual(pattern(30));
  });

  it('is refused while something is queued or corked, and for a destroyed socket', async () => {
    const { server } = await pair();
    server.cork();
    expect(directFd(server)).toBe(-1);
    server.uncork();
    expect(directFd(server)).toBeGreaterThanOrEqual(0);
    server.destroy();
    expect(directFd(server)).toBe(-1);
  });

  it('is refused once the socket was ended', async () => {
    const { server } = await pair();
    server.end();
    expect(directFd(server)).toBe(-1);
  });

  it('is refused for TLS sockets and for streams that are not net sockets', async () => {
    const { server } = await pair();
    const tls = new TLSSocket(server);
    expect(directFd(tls)).toBe(-1);
    tls.destroy();
    expect(directFd(new PassThrough())).toBe(-1);
  });

  it('queues what a full send buffer does not take, copied, and delivers every byte in order', async () => {
    const { server, client } = await pair();
    client.pause(); // the peer reads nothing until the end: the buffers fill
    const chunk = 256 * 1024;
    const scratch = Buffer.allocUnsafe(chunk);
    let written = 0;
    let direct = 0;
    for (let i = 0; i < 256; i++) {
      const fd = directFd(server);
      if (fd === -1) break; // the kernel stopped taking everything: the rest is queued in Node
      pattern(chunk, written).copy(scratch);
      direct += writeDirect(server, fd, scratch, 0, chunk);
      scratch.fill(0); // the caller's buffer is free once writeDirect returns
      written += chunk;
    }
    expect(server.writableLength).toBeGreaterThan(0);
    expect(direct).toBeLessThan(written);
    // Later writes go behind the queued rest.
    server.write(pattern(1000, written));
    written += 1000;
    const drained = once(server, 'drain');
    const all = await readBytes(client, written);
    expect(all.length).toBe(written);
    expect(all.equals(pattern(written))).toBe(true);
    await drained;
    expect(server.writableLength).toBe(0);
  });

  it('hands a write to a reset peer to socket.write, which reports it as Node does', async () => {
    const { server, client } = await pair();
    client.resetAndDestroy();
    await once(server, 'end').catch(() => undefined);
    const closed = once(server, 'close');
    server.on('error', () => undefined);
    // The first send may still be taken (the RST not yet seen): keep writing until the socket gives up.
    for (let i = 0; i < 100 && !server.destroyed; i++) {
      const fd = directFd(server);
      if (fd === -1) break;
      writeDirect(server, fd, pattern(1000), 0, 1000);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await closed;
    expect(server.destroyed).toBe(true);
  });

  it('throws a TypeError for a range outside the bytes', async () => {
    const { server } = await pair();
    const fd = directFd(server);
    expect(() => writeDirect(server, fd, Buffer.alloc(4), 2, 8)).toThrow(TypeError);
    expect(() => writeDirect(server, fd, Buffer.alloc(4), 3, 2)).toThrow(TypeError);
  });
});
