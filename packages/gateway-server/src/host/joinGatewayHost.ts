import cluster from 'node:cluster';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Awaitable } from '../types.js';
import { HostBroker } from './HostBroker.js';
import { HostError } from './HostError.js';
import { type HostControl, isHostControl, WORKER_CONFIG_ENV, type WorkerConfig } from './hostControl.js';

/** A worker's part in its host: what to build its `GatewayServer` on. */
export interface HostWorker {
  /** The worker's place in the host (0 … workers − 1), kept across restarts. */
  readonly slot: number;
  /** Its peer id (changes with every restart). */
  readonly id: string;
  /** The host-local fan-out: pass it as the gateway's `broker`. */
  readonly broker: HostBroker;
  /** The HTTP server on the host's shared port: pass it as the gateway's `server`; it listens once `ready()` is called. */
  readonly server: HttpServer;
  /** With `resumePortBase`: the `resumeGatewayUrl` to give the gateway (this worker's own port). */
  readonly resumeGatewayUrl: string | undefined;
  /**
   * Starts accepting connections (shared port, and the worker's resume port) and tells the primary. `onClose` runs
   * when the host closes or the primary goes: close the gateway there; the worker exits after it. With `port`, the
   * application listens on the shared port itself (any server's `listen` in a cluster worker shares the port through
   * the primary, e.g. a Fastify app carrying REST and the gateway): `server` is not used, and neither is a resume port.
   */
  ready(options?: { onClose?: () => Awaitable<unknown>; port?: number }): Promise<void>;
  /** Leaves the host: closes the links and the listeners (the process stays). */
  close(): Promise<void>;
}

const send = (message: HostControl): void => {
  if (process.connected) process.send?.(message, undefined, {}, () => undefined);
};

/**
 * Joins the host this process was forked into by `startGatewayHost`: opens its link listener, links to the other
 * processes as the primary announces them, and prepares the shared-port HTTP server. Throws `NOT_A_WORKER` when the
 * process is not a host worker.
 */
export async function joinGatewayHost(): Promise<HostWorker> {
  const raw = process.env[WORKER_CONFIG_ENV];
  if (!cluster.isWorker || raw === undefined) {
    throw new HostError('NOT_A_WORKER', 'joinGatewayHost() runs in a worker forked by startGatewayHost()');
  }
  const config = JSON.parse(raw) as WorkerConfig;
  let startResume: (() => void) | undefined;
  const broker = await HostBroker.listen({
    id: config.id,
    path: config.socketPath,
    maxLinkBufferedBytes: config.maxLinkBufferedBytes,
    maxFrameBytes: config.maxFrameBytes,
    ...(config.uplink !== undefined ? { uplink: config.uplink } : {}),
    history: config.history,
  });
  const server = createHttpServer();
  let resumeServer: NetServer | undefined;
  let resumeUrl: string | undefined;
  if (config.resumePort !== undefined) {
    // This worker's own port (exclusive: not shared through the primary); its sockets join the same HTTP server, once
    // the gateway is attached to it (`ready`). Bound now so its URL is known when the gateway is built.
    const early: Socket[] = [];
    let accepting = false;
    const own = createNetServer((socket) => (accepting ? server.emit('connection', socket) : early.push(socket)));
    resumeServer = own;
    await new Promise<void>((resolve, reject) => {
      own.once('error', reject);
      own.listen({ port: config.resumePort, host: config.host, exclusive: true }, () => {
        own.off('error', reject);
        resolve();
      });
    });
    const address = own.address();
    resumeUrl = `ws://${config.publicHost}:${typeof address === 'object' && address ? address.port : 0}`;
    startResume = () => {
      accepting = true;
      for (const socket of early.splice(0)) server.emit('connection', socket);
    };
  }
  let onClose: (() => Awaitable<unknown>) | undefined;
  let closing: Promise<void> | undefined;

  const close = (): Promise<void> => {
    closing ??= (async () => {
      process.off('message', onMessage);
      await broker.close();
      resumeServer?.close();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    })();
    return closing;
  };
  // The host closing, or the primary gone (the channel disconnects): close the gateway, then leave.
  const shutDown = async (): Promise<void> => {
    try {
      await onClose?.();
    } finally {
      await close();
      process.exit(0);
    }
  };
  const onMessage = (message: unknown): void => {
    if (!isHostControl(message)) return;
    if (message.concordHost === 'peers') broker.setPeers(message.peers);
    else if (message.concordHost === 'close') void shutDown();
  };
  process.on('message', onMessage);
  process.once('disconnect', () => void shutDown());
  send({ concordHost: 'linked', id: config.id, path: config.socketPath });

  return {
    slot: config.slot,
    id: config.id,
    broker,
    server,
    resumeGatewayUrl: resumeUrl,
    async ready(options = {}) {
      onClose = options.onClose;
      if (options.port !== undefined) {
        send({ concordHost: 'ready', id: config.id, port: options.port });
        return;
      }
      // Through the cluster primary: every worker shares this port.
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      startResume?.();
      const address = server.address();
      const resumePort = resumeServer?.address();
      send({
        concordHost: 'ready',
        id: config.id,
        port: typeof address === 'object' && address ? address.port : 0,
        ...(typeof resumePort === 'object' && resumePort ? { resumePort: resumePort.port } : {}),
      });
    },
    close,
  };
}
