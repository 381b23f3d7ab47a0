import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVoiceServer, type VoiceServer } from '../server/VoiceServer.js';
import type { VoiceServerOptions } from '../server/VoiceServerOptions.js';
import { VoiceClusterError } from './VoiceClusterError.js';
import type { VoiceNodeStatus } from './VoiceNodeStatus.js';
import { voiceStateRoute } from './voiceStateRoute.js';
import { verifyVoiceToken } from './voiceToken.js';

export interface VoiceNodeOptions extends VoiceServerOptions {
  /** Stable node id (letters, digits, `_.:-`, up to 64). */
  id: string;
  /** Region label reported to allocators (default null). */
  region?: string | null;
  /** Secret shared with the allocators; tokens they sign for this node's id are accepted. */
  secret: string | Uint8Array;
  /** Port of the health endpoint (default 0 = any free port), on `host` like the voice gateway. */
  healthPort?: number;
  /** How often packets/s is sampled, ms (default 1000). */
  loadSampleMs?: number;
}

/**
 * A voice server that reports its health and load, accepts tokens signed by the allocator, and takes the allocator's
 * voice state notices (`POST /voice-state` on the health port) so that server mute and deafen hold in a cluster too.
 */
export interface VoiceNode {
  readonly id: string;
  readonly region: string | null;
  readonly server: VoiceServer;
  /** `http://host:port/health`: give it to the allocator. */
  readonly healthUrl: string;
  /** The endpoint clients are sent to (`host:port`). */
  readonly endpoint: string;
  /** The status the health endpoint serves now. */
  status(): VoiceNodeStatus;
  /** Takes no new channels from now on (calls in progress stay); close with 4015 afterwards to move them. */
  drain(): void;
  close(code?: number): Promise<void>;
}

const ID = /^[\w.:-]{1,64}$/;

/**
 * Starts a voice node: a `VoiceServer` whose Identify accepts allocator-signed tokens (checked with the shared secret,
 * bound to this node's id), plus a small HTTP server answering `GET /health` with `VoiceNodeStatus` JSON.
 *
 * The health endpoint is a separate port rather than a path on the voice gateway's: the voice server answers plain
 * HTTP with 426, and a second listener keeps the media process free of routing concerns (and lets the health port
 * stay on a private interface while the voice port is public).
 */
export async function createVoiceNode(options: VoiceNodeOptions): Promise<VoiceNode> {
  if (!ID.test(options.id)) throw new VoiceClusterError('INVALID_OPTION', 'id must be 1-64 of [A-Za-z0-9_.:-]');
  if (!options.secret || options.secret.length === 0) {
    throw new VoiceClusterError('INVALID_OPTION', 'secret must not be empty');
  }
  const { id, secret, healthPort, loadSampleMs, region = null, authorize, ...serverOptions } = options;
  const server = await createVoiceServer({
    ...serverOptions,
    authorize: (identify) => {
      try {
        const claims = verifyVoiceToken(secret, identify.token);
        if (
          claims.nodeId === id &&
          claims.guildId === identify.serverId &&
          claims.userId === identify.userId &&
          claims.sessionId === identify.sessionId
        ) {
          return { channelId: claims.channelId };
        }
      } catch {
        // Not one of ours: the user's own hook may still know it.
      }
      return authorize ? authorize(identify) : null;
    },
  });

  // Channels with members, counted from the member events (the server keeps no per-room counter).
  const rooms = new Map<string, number>();
  server.on('memberJoin', (m) =>
    rooms.set(`${m.guildId}:${m.channelId}`, (rooms.get(`${m.guildId}:${m.channelId}`) ?? 0) + 1),
  );
  server.on('memberLeave', (m) => {
    const key = `${m.guildId}:${m.channelId}`;
    const left = (rooms.get(key) ?? 1) - 1;
    if (left > 0) rooms.set(key, left);
    else rooms.delete(key);
  });

  let packetsPerSecond = 0;
  let lastReceived = server.stats.received;
  let lastAt = performance.now();
  const sampler = setInterval(() => {
    const now = performance.now();
    const received = server.stats.received;
    packetsPerSecond = Math.round(((received - lastReceived) * 1000) / Math.max(1, now - lastAt));
    lastReceived = received;
    lastAt = now;
  }, loadSampleMs ?? 1000);
  sampler.unref();

  const instance = randomBytes(8).toString('hex');
  const address = server.address();
  const publicHost = options.publicHost ?? address.host;
  // host:port needs brackets around an IPv6 address (as in a URL).
  const endpoint = `${publicHost.includes(':') && !publicHost.startsWith('[') ? `[${publicHost}]` : publicHost}:${address.port}`;
  let draining = false;
  const status = (): VoiceNodeStatus => ({
    v: 1,
    id,
    instance,
    region,
    endpoint,
    channels: rooms.size,
    sessions: server.stats.sessions,
    packetsPerSecond,
    draining,
  });

  // The allocators' voice states (server mute, deafen, suppress), enforced here as on a single voice server.
  const voiceStates = voiceStateRoute(secret, (state) => server.voiceStateChanged(state));
  const health: Server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/voice-state') return voiceStates(req, res);
    if (req.method === 'GET' && (req.url === '/health' || req.url?.startsWith('/health?'))) {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(status()));
      return;
    }
    res.writeHead(404).end();
  });
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      health.once('error', reject);
      health.listen(healthPort ?? 0, host, () => resolve());
    });
  } catch (error) {
    clearInterval(sampler);
    await server.close();
    throw error;
  }
  const hp = (health.address() as AddressInfo).port;
  const healthHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  return {
    id,
    region,
    server,
    endpoint,
    healthUrl: `http://${healthHost}:${hp}/health`,
    status,
    drain: () => {
      draining = true;
    },
    close: async (code?: number) => {
      clearInterval(sampler);
      health.closeAllConnections();
      await new Promise<void>((resolve) => health.close(() => resolve()));
      await server.close(code);
    },
  };
}
