import type { GatewayServerOptions } from '@concord/gateway-server';
import { createRedisResumeStore } from '@concord/gateway-server/redis-broker';

/** What a node needs for cross-node resume: options for createGatewayServer, and how to let go of Redis. */
export interface ResumeStoreHandle {
  options: Partial<GatewayServerOptions>;
  close(): Promise<void>;
}

/**
 * The shared resume store every node (and the publisher) uses: sessions, their journals and cursors in Redis, the
 * messages themselves in the broker's per-topic histories, hence the same `prefix` as the broker.
 */
export async function openResumeStore(redisUrl: string, busPrefix: string): Promise<ResumeStoreHandle> {
  const resumeStore = await createRedisResumeStore({ redis: redisUrl, prefix: busPrefix });
  return { options: { resumeStore }, close: () => resumeStore.close() };
}
