import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UserData } from '@concord/gateway-server';
import { Community } from '@concord/guilds';
import { SnowflakeGenerator } from '@concord/snowflake';
import { createInMemoryStore } from '@concord/storage-adapters';
import { type BlobStore, createLocalDiskBlobStore } from '@concord/storage-adapters/blobs';
import { createInMemoryEntityStore } from '@concord/storage-adapters/entities';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { concordCdn } from '../../src/cdn/concordCdn.js';
import { concordRest } from '../../src/createRestPlugin.js';
import type { RestPluginOptions } from '../../src/options/RestPluginOptions.js';
import { restFrameworkErrors } from '../../src/restFrameworkErrors.js';

/** Limits high enough that no test but the rate-limit ones meets them. */
export const generousLimits = {
  createMessage: { limit: 10_000, windowMs: 60_000 },
  editMessage: { limit: 10_000, windowMs: 60_000 },
  write: { limit: 10_000, windowMs: 60_000 },
  read: { limit: 10_000, windowMs: 60_000 },
  commands: { limit: 10_000, windowMs: 60_000 },
  interaction: { limit: 10_000, windowMs: 60_000 },
  webhook: { limit: 10_000, windowMs: 60_000 },
  global: { limit: 10_000, windowMs: 60_000 },
  unauthenticated: { limit: 10_000, windowMs: 60_000 },
  invalidRequests: { limit: 10_000, windowMs: 60_000 },
};

const ids = new SnowflakeGenerator({ workerId: 3 });

/** A test user: its token is its name. */
export interface TestUser extends UserData {
  token: string;
}

export interface TestApp {
  app: FastifyInstance;
  community: Community;
  blobs: BlobStore | undefined;
  /** The blob store's folder (with `uploads`). */
  blobDir: string | undefined;
  user(name: string): TestUser;
  /** `method url` as `who` (a user name, or null for no token), JSON body. */
  call(
    who: string | null,
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface TestAppOptions extends Partial<RestPluginOptions> {
  /** Mount a local-disk blob store and the CDN. */
  uploads?: boolean;
}

/** A Fastify instance with concordRest at `/api` over the real Community and in-memory stores. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const { uploads, ...rest } = options;
  const users = new Map<string, TestUser>();
  const user = (name: string): TestUser => {
    let u = users.get(name);
    if (!u) {
      u = { id: ids.nextString(), username: name, token: name, bot: name.startsWith('bot') };
      users.set(name, u);
    }
    return u;
  };
  const dir = uploads ? mkdtempSync(join(tmpdir(), 'concord-rest-blobs-')) : undefined;
  const blobs = dir ? createLocalDiskBlobStore({ directory: dir }) : undefined;
  const community = new Community({
    store: createInMemoryEntityStore(),
    messages: createInMemoryStore(),
    ...(blobs ? { blobs } : {}),
  });
  const app = Fastify({ frameworkErrors: restFrameworkErrors });
  await app.register(concordRest, {
    community,
    authenticate: (token) => {
      const found = users.get(token);
      return found ? { user: { id: found.id, username: found.username, bot: found.bot ?? false } } : null;
    },
    rateLimits: generousLimits,
    ...(blobs ? { blobs, cdnBase: 'http://cdn.test/cdn' } : {}),
    ...rest,
    prefix: '/api',
  });
  if (blobs) await app.register(concordCdn, { blobs, prefix: '/cdn' });
  await app.ready();
  return {
    app,
    community,
    blobs,
    blobDir: dir,
    user,
    call(who, method, url, body, headers = {}) {
      const auth: Record<string, string> = who === null ? {} : { authorization: `Bot ${user(who).token}` };
      return app.inject({
        method: method as 'GET',
        url,
        headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
    },
    async close() {
      await app.close();
      await community.close();
      await blobs?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
