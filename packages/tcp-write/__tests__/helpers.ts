import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A connected loopback pair: `server` is the accepted side (the one written to directly), `client` the peer. */
export async function socketPair(): Promise<{ server: Socket; client: Socket; close: () => void }> {
  const listener: Server = createServer();
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const accepted = once(listener, 'connection') as Promise<[Socket]>;
  const address = listener.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const client = connect(address.port, '127.0.0.1');
  await once(client, 'connect');
  const [server] = await accepted;
  return {
    server,
    client,
    close: () => {
      server.destroy();
      client.destroy();
      listener.close();
    },
  };
}

/** Reads from `socket` until `bytes` have arrived; resolves with them. */
export function readBytes(socket: Socket, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let got = 0;
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= bytes) {
        socket.off('data', onData);
        socket.off('error', reject);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.resume();
  });
}

/** `n` bytes counting up from `from` (mod 251, so no run lines up with a power of two). */
export function pattern(n: number, from = 0): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = (from + i) % 251;
  return out;
}
