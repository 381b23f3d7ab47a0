// One whole server on 127.0.0.1, as an integrator assembles it: Fastify serving concordRest (and the CDN), the
// GatewayServer taking WebSocket upgrades on the same HTTP server, and a Community over the given stores, attached to
// the gateway. Used in-process by discordjsCache.test.ts and in child processes by clusterNode.ts.
import type { AddressInfo } from 'node:net';
import {
  type AuthenticatedUser,
  createGatewayServer,
  type GatewayServer,
  type GatewayServerOptions,
  type UserData,
} from '@concord/gateway-server';
import { Community } from '@concord/guilds';
import { SnowflakeGenerator } from '@concord/snowflake';
import type { MessageStore } from '@concord/storage-adapters';
import type { BlobStore } from '@concord/storage-adapters/blobs';
import type { EntityStore } from '@concord/storage-adapters/entities';
import Fastify, { type FastifyInstance } from 'fastify';
import { concordCdn } from '../../src/cdn/concordCdn.js';
import { concordRest } from '../../src/createRestPlugin.js';
import { restFrameworkErrors } from '../../src/restFrameworkErrors.js';
import { generousLimits } from './createTestApp.js';

export interface ConcordNodeOptions {
  store: EntityStore;
  messages: MessageStore;
  blobs?: BlobStore;
  /** Token → user; the same check serves REST and the gateway. */
  users: ReadonlyMap<string, UserData>;
  /** Cluster ports (broker, resume store, throttles); default the gateway's in-memory ones. */
  gateway?: Pick<GatewayServerOptions, 'broker' | 'resumeStore' | 'identifyThrottle' | 'sessionStartLimiter'>;
  /** Snowflake worker of this node (ids made on two nodes never collide). */
  workerId?: number;
  port?: number;
}

export interface ConcordNode {
  app: FastifyInstance;
  gateway: GatewayServer;
  community: Community;
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startConcordNode(options: ConcordNodeOptions): Promise<ConcordNode> {
  const community = new Community({
    store: options.store,
    messages: options.messages,
    ...(options.blobs ? { blobs: options.blobs } : {}),
    ids: new SnowflakeGenerator({ workerId: options.workerId ?? 1 }),
  });
  const authenticate = async (token: string): Promise<AuthenticatedUser | null> => {
    const user = options.users.get(token);
    if (!user) return null;
    await community.users.ensure(user);
    return { user, application: { id: user.id, flags: 0 } };
  };
  const app = Fastify({ frameworkErrors: restFrameworkErrors });
  const gateway = await createGatewayServer({
    server: app.server,
    directory: community.directory,
    authenticate,
    identifyIntervalMs: 0,
    identifyLimitPerAddress: false,
    ...options.gateway,
  });
  await app.register(concordRest, {
    community,
    authenticate,
    gateway,
    rateLimits: generousLimits,
    ...(options.blobs ? { blobs: options.blobs } : {}),
    prefix: '/api',
  });
  if (options.blobs) await app.register(concordCdn, { blobs: options.blobs, prefix: '/cdn' });
  await community.attach(gateway);
  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    gateway,
    community,
    url: `http://127.0.0.1:${port}`,
    port,
    async close() {
      await gateway.close();
      await app.close();
      await community.close();
    },
  };
}
