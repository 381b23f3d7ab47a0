// Issue #19 (identify throughput): the 101 response and op 10 Hello leave in one write, READY and its GUILD_CREATEs in
// one more. Each write is a syscall here and a wake-up of the client; counted on the server's socket itself.
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../src/GatewayServer.js';
import { tcpWrite } from '../src/transport/tcpWrite.js';
import { connect, startServer, type TestClient } from './helpers.js';

let server: GatewayServer | undefined;
let http: Server | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = undefined;
  http?.closeAllConnections();
  if (http) await new Promise<void>((resolve) => http!.close(() => resolve()));
  http = undefined;
});

type WritableInternals = {
  _write(chunk: unknown, encoding: string, cb: () => void): void;
  _writev(chunks: unknown[], cb: () => void): void;
};

/**
 * Chunks per write the socket hands to the kernel (`_write`: one, `_writev`: several in one call); `first` gets the
 * bytes of the first call.
 */
function countWrites(socket: Duplex, first: Buffer[] = []): number[] {
  const writes: number[] = [];
  const s = socket as unknown as WritableInternals;
  const write = s._write.bind(s);
  const writev = s._writev.bind(s);
  const bytes = (chunk: unknown) => (typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : (chunk as Buffer));
  s._write = (chunk, encoding, cb) => {
    if (writes.length === 0) first.push(bytes(chunk));
    writes.push(1);
    write(chunk, encoding, cb);
  };
  s._writev = (chunks, cb) => {
    if (writes.length === 0) for (const c of chunks) first.push(bytes((c as { chunk: unknown }).chunk));
    writes.push(chunks.length);
    writev(chunks, cb);
  };
  return writes;
}

describe('writes per connection', () => {
  it('sends the 101 response and Hello in one write, READY and GUILD_CREATEs in one more', async () => {
    const perSocket: number[][] = [];
    const first: Buffer[] = [];
    http = createServer();
    // Before the gateway's own upgrade listener: the socket is instrumented before anything is written to it.
    http.on('upgrade', (_req, socket: Duplex) => perSocket.push(countWrites(socket, first)));
    await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
    // Through socket.write (direct sends skip the stream, and with it this count: see the test below).
    server = await startServer({ server: http, directWrites: false });
    const client = await connect(server);
    clients.push(client);
    const hello = await client.next((p) => p.op === 10);
    expect(hello.d).toMatchObject({ heartbeat_interval: 5000 });
    expect(perSocket).toHaveLength(1);
    // One call with one buffer: the 101 headers and Hello's frame.
    expect(perSocket[0]).toEqual([1]);
    const sent = Buffer.concat(first).toString('latin1');
    expect(sent).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n[\s\S]*\r\n\r\n\x81.\{"op":10,/);

    client.identify('1');
    await client.dispatch('READY');
    await client.dispatch('GUILD_CREATE');
    await client.dispatch('GUILD_CREATE');
    // READY + the user's two guilds, written back to back into one buffer (Connection.burst): one more call, of one
    // chunk (it was three frames corked into one writev).
    expect(perSocket[0]).toHaveLength(2);
    expect(perSocket[0]![1]).toBe(1);
  });

  it.runIf(tcpWrite !== null)('sends READY and GUILD_CREATEs in one direct send, past the stream', async () => {
    const perSocket: number[][] = [];
    http = createServer();
    http.on('upgrade', (_req, socket: Duplex) => perSocket.push(countWrites(socket)));
    await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
    server = await startServer({ server: http });
    const client = await connect(server);
    clients.push(client);
    await client.next((p) => p.op === 10);
    const sends: number[] = [];
    const writeDirect = tcpWrite!.writeDirect;
    tcpWrite!.writeDirect = (socket, fd, bytes, start, end) => {
      sends.push(end - start);
      return writeDirect(socket, fd, bytes, start, end);
    };
    try {
      client.identify('1');
      await client.dispatch('READY');
      await client.dispatch('GUILD_CREATE');
      await client.dispatch('GUILD_CREATE');
    } finally {
      tcpWrite!.writeDirect = writeDirect;
    }
    // The 101 and Hello through the stream as before; the burst in one send(2) of its own, nothing more queued.
    expect(perSocket[0]).toEqual([1]);
    expect(sends).toHaveLength(1);
  });

  it('with zlib-stream too: the 101 response and the compressed Hello in one call', async () => {
    const perSocket: number[][] = [];
    http = createServer();
    http.on('upgrade', (_req, socket: Duplex) => perSocket.push(countWrites(socket)));
    await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
    server = await startServer({ server: http });
    const client = await connect(server, 'v=10&encoding=json&compress=zlib-stream');
    clients.push(client);
    expect((await client.next((p) => p.op === 10)).d).toMatchObject({ heartbeat_interval: 5000 });
    expect(perSocket[0]).toHaveLength(1);
    expect(perSocket[0]![0]).toBeGreaterThanOrEqual(2);
  });
});
