// Dispatch frames sent straight to the socket's descriptor (@concord/tcp-write, ConnectionHost.directWrites): the
// client must read the same frames, in the same order, as through socket.write, also when the kernel's buffers fill
// and the rest of a frame is queued in Node (the switch between the two paths and back, many times over).
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../src/GatewayServer.js';
import { tcpWrite } from '../src/transport/tcpWrite.js';
import { connect, GUILD_A, type Payload, startServer, type TestClient } from './helpers.js';

let server: GatewayServer | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = undefined;
});

async function identified(directWrites: boolean, acceptConnections: boolean): Promise<TestClient> {
  server = await startServer({ directWrites, acceptConnections, maxBufferedBytes: 256 * 1024 * 1024 });
  const client = await connect(server);
  clients.push(client);
  client.identify('1');
  await client.dispatch('READY');
  await client.dispatch('GUILD_CREATE');
  return client;
}

const events = (client: TestClient): Payload[] => client.received.filter((p) => p.t === 'BULK');

describe.each([
  ['direct sends', true, false],
  ['direct sends, the gateway reading request heads (acceptConnections)', true, true],
  ['socket.write', false, false],
])('dispatch frames through %s', (_path, directWrites, acceptConnections) => {
  it.runIf(!directWrites || tcpWrite !== null)(
    'reach a client that stops reading, every one in order, once it reads again',
    async () => {
      const client = await identified(directWrites, acceptConnections);
      // How the direct path went: sends in full, and sends the kernel took only part of (the rest queued).
      const counts = { full: 0, partial: 0 };
      const writeDirect = tcpWrite?.writeDirect;
      if (tcpWrite !== null && writeDirect !== undefined) {
        tcpWrite.writeDirect = (socket, fd, bytes, start, end) => {
          const sent = writeDirect(socket, fd, bytes, start, end);
          counts[sent === end - start ? 'full' : 'partial']++;
          return sent;
        };
      }
      const socket = (client.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      socket.pause();
      // Sizes from a few bytes to 40 KB (all fit the write slab, so each goes direct while nothing is queued); ~13 MB
      // in all, more than loopback's buffers hold, so the kernel refuses part of one and the rest queue behind it.
      const sizes = [10, 900, 5000, 20_000, 40_000];
      const n = 1000;
      for (let i = 0; i < n; i++) {
        server!.dispatchToGuild(GUILD_A, 'BULK' as never, { i, pad: 'x'.repeat(sizes[i % sizes.length]!) } as never, {
          intent: null,
        });
        // One frame per tick, as a fan-out writes them (a second one in a tick corks the socket: the stream path).
        if (i % 10 !== 9) await new Promise((resolve) => setImmediate(resolve));
      }
      if (tcpWrite !== null && writeDirect !== undefined) tcpWrite.writeDirect = writeDirect;
      if (directWrites) {
        expect(counts.full).toBeGreaterThan(0);
        expect(counts.partial).toBeGreaterThan(0);
      } else expect(counts).toEqual({ full: 0, partial: 0 });
      socket.resume();
      const deadline = Date.now() + 20_000;
      while (events(client).length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const got = events(client);
      expect(got.length).toBe(n);
      got.forEach((p, i) => {
        expect((p.d as { i: number }).i).toBe(i);
        expect((p.d as { pad: string }).pad.length).toBe(sizes[i % sizes.length]);
      });
      // Sequence numbers with no gap (a frame lost or sent twice would show here).
      for (let i = 1; i < got.length; i++) expect(got[i]!.s).toBe(got[i - 1]!.s! + 1);
    },
    30_000,
  );
});
