// A tiny loopback load balancer, shared by the cluster example and the gateway drain tests: an HTTP server that takes
// WebSocket upgrades and hands each one to a live gateway node, trying the nodes round robin. A node that refuses the
// connection (port closed) or answers the upgrade with 503 (draining) is skipped and the next one tried, so a client
// never sees a draining node. Once a node answered 101 the two sockets are piped and the balancer reads nothing more.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface LoadBalancer {
  /** `ws://127.0.0.1:<port>`: give it to clients and as the nodes' resume_gateway_url. */
  readonly url: string;
  readonly port: number;
  /** Upgrades handed to each backend (`host:port`). */
  readonly routed: Map<string, number>;
  /** Upgrades no backend accepted. */
  readonly refused: number;
  /** Times a backend was skipped (connection refused, or 503 while draining) and the next one tried. */
  readonly skipped: number;
  /** Replaces the backends (`host:port`); open tunnels are left alone. */
  setBackends(backends: string[]): void;
  close(): Promise<void>;
}

function requestHead(req: IncomingMessage): string {
  let head = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
  for (let i = 0; i < req.rawHeaders.length; i += 2) head += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
  return `${head}\r\n`;
}

/** Connects to `backend`, sends the upgrade, resolves with the socket and its reply (status + bytes read so far). */
function tryBackend(
  backend: string,
  head: string,
  body: Buffer,
): Promise<{ socket: Socket; status: number; buffered: Buffer } | null> {
  return new Promise((resolve) => {
    const colon = backend.lastIndexOf(':');
    const socket = connect({ host: backend.slice(0, colon), port: Number(backend.slice(colon + 1)) });
    let buffered = Buffer.alloc(0);
    const fail = (): void => {
      socket.destroy();
      resolve(null);
    };
    const timer = setTimeout(fail, 2000);
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
    socket.once('connect', () => {
      socket.write(head);
      if (body.length > 0) socket.write(body);
    });
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.pause();
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(buffered.subarray(0, end).toString('latin1'))?.[1] ?? 0);
      resolve({ socket, status, buffered });
    };
    socket.on('data', onData);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(null);
    });
  });
}

export interface LoadBalancerOptions {
  /** Default 0 (ephemeral). */
  port?: number;
  host?: string;
  /** Plain HTTP requests (not upgrades); default: 426 Upgrade Required. */
  onRequest?: (req: IncomingMessage, res: ServerResponse) => void;
}

export async function startLoadBalancer(initial: string[], options: LoadBalancerOptions = {}): Promise<LoadBalancer> {
  let backends = [...initial];
  let next = 0;
  let refused = 0;
  let skipped = 0;
  const routed = new Map<string, number>();
  const tunnels = new Set<Socket | Duplex>();
  const http = createServer(
    options.onRequest ??
      ((_req, res) => {
        res.writeHead(426, { 'content-type': 'text/plain' }).end('Upgrade Required');
      }),
  );

  http.on('upgrade', async (req: IncomingMessage, client: Duplex, body: Buffer) => {
    client.on('error', () => client.destroy());
    const head = requestHead(req);
    const order = backends.map((_, i) => backends[(next + i) % backends.length]!);
    next = (next + 1) % Math.max(1, backends.length);
    for (const backend of order) {
      if (client.destroyed) return;
      const reply = await tryBackend(backend, head, body);
      if (reply === null || reply.status === 503) {
        reply?.socket.destroy();
        skipped++;
        continue;
      }
      if (client.destroyed) {
        reply.socket.destroy();
        return;
      }
      routed.set(backend, (routed.get(backend) ?? 0) + 1);
      const upstream = reply.socket;
      tunnels.add(client).add(upstream);
      const end = (): void => {
        tunnels.delete(client);
        tunnels.delete(upstream);
        client.destroy();
        upstream.destroy();
      };
      upstream.on('error', end).on('close', end);
      client.on('error', end).on('close', end);
      client.write(reply.buffered);
      upstream.pipe(client);
      client.pipe(upstream);
      upstream.resume();
      return;
    }
    refused++;
    client.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address();
  if (address === null || typeof address === 'string') throw new Error('load balancer not listening');
  return {
    url: `ws://${options.host ?? '127.0.0.1'}:${address.port}`,
    port: address.port,
    routed,
    get refused() {
      return refused;
    },
    get skipped() {
      return skipped;
    },
    setBackends(list) {
      backends = [...list];
    },
    async close() {
      for (const socket of tunnels) socket.destroy();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}
