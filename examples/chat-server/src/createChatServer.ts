import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AuthenticateContext,
  createGatewayServer,
  type GatewayServer,
  type UserData,
} from '@concord/gateway-server';
import { SnowflakeGenerator } from '@concord/snowflake';
import type { Authenticate } from './Authenticate.js';
import { Community } from './Community.js';
import { createDevAuthenticate, defaultDevAuthNewUsers } from './devAuth.js';
import { NewUserRateLimitedError } from './NewUserRateLimitedError.js';
import { buildPage, type PageAssets } from './page.js';
import { createRestHandler } from './rest/createRestHandler.js';
import { RateLimiter, type RateLimitRule } from './rest/RateLimiter.js';
import { defaultRateLimits, type ModerationHook, type RateLimits } from './rest/RestContext.js';
import { type BodyLimits, defaultBodyLimits } from './rest/readJsonBody.js';
import type { Storage } from './storage.js';
import type { LazyVoice } from './voice.js';

export type { Authenticate, AuthenticateContext, AuthenticatedIdentity } from './Authenticate.js';

export interface ChatServerOptions {
  storage: Storage;
  port?: number;
  host?: string;
  /** Replaces dev auth (any token accepted, the token is the user name). */
  authenticate?: Authenticate;
  moderate?: ModerationHook;
  rateLimits?: Partial<RateLimits>;
  /** REST body caps and deadline. */
  body?: Partial<BodyLimits>;
  /**
   * Dev auth only: how many new users one address may create per window (default 10 a minute). Each new user is a
   * GUILD_MEMBER_ADD to every session, so this is what keeps an identify flood from costing O(N²).
   */
  devAuthNewUsers?: RateLimitRule;
  /** Gateway heartbeat interval (ms). */
  heartbeatInterval?: number;
  /** Where op 4 sends users (VOICE_SERVER_UPDATE); without it, `endpoint: null` (no voice). */
  voice?: LazyVoice;
}

export interface ChatServer {
  http: Server;
  gateway: GatewayServer;
  url: string;
  devAuth: boolean;
  /** With dev auth: the new-user limit per address in force (for the startup log); null otherwise. */
  devAuthNewUsers: RateLimitRule | null;
  close(): Promise<void>;
}

export async function createChatServer(options: ChatServerOptions): Promise<ChatServer> {
  const { storage } = options;
  const community = new Community(storage.users);
  const ids = new SnowflakeGenerator({ workerId: 0, processId: 0 });
  const limiter = new RateLimiter();
  const devAuthNewUsers = options.authenticate ? null : (options.devAuthNewUsers ?? defaultDevAuthNewUsers);
  const authenticate =
    options.authenticate ??
    createDevAuthenticate({
      isKnown: (id) => community.user(id) !== undefined,
      limiter,
      newUsers: devAuthNewUsers ?? defaultDevAuthNewUsers,
    });

  /** May throw NewUserRateLimitedError (dev auth refused to create another user for this address). */
  const resolveUser = async (token: string, bot: boolean, context: AuthenticateContext): Promise<UserData | null> => {
    const identity = await authenticate(token, context);
    if (!identity) return null;
    return community.ensure({ id: identity.id, username: identity.username, bot: identity.bot ?? bot });
  };

  let assets: PageAssets = {};
  const http = createServer();
  const gateway = await createGatewayServer({
    server: http,
    directory: community.directory,
    heartbeatInterval: options.heartbeatInterval ?? 41_250,
    ...(options.voice ? { voiceAllocator: options.voice.allocator } : {}),
    authenticate: async (token, context) => {
      let user: UserData | null;
      try {
        user = await resolveUser(token, false, context);
      } catch (error) {
        // The hook can only accept or refuse: a refused new user is closed with 4004 (REST says 429 instead).
        if (error instanceof NewUserRateLimitedError) return null;
        throw error;
      }
      // READY.application is required by discord.js; every user doubles as its own application.
      return user ? { user, application: { id: user.id, flags: 0 } } : null;
    },
  });
  community.attach(gateway);
  const rest = createRestHandler({
    community,
    gateway,
    store: storage.messages,
    ids,
    limiter,
    authenticate: resolveUser,
    moderate: options.moderate,
    rateLimits: { ...defaultRateLimits, ...options.rateLimits },
    body: { ...defaultBodyLimits, ...options.body },
  });

  http.on('request', (req, res) => {
    rest(req, res)
      .then((handled) => {
        if (handled) return;
        const path = new URL(req.url ?? '/', 'http://localhost').pathname;
        const asset = req.method === 'GET' || req.method === 'HEAD' ? assets[path] : undefined;
        if (!asset) {
          res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
          return;
        }
        res.writeHead(200, {
          'Content-Type': asset.type,
          'Content-Length': asset.body.length,
          'Cache-Control': 'no-cache',
        });
        res.end(req.method === 'HEAD' ? undefined : asset.body);
      })
      .catch((error) => {
        console.error('[http] request failed:', error);
        if (!res.headersSent) res.writeHead(500).end();
      });
  });

  [assets] = await Promise.all([
    buildPage(),
    new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
        http.off('error', reject);
        resolve();
      });
    }),
  ]);
  const address = http.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    http,
    gateway,
    url: `http://${host}:${address.port}`,
    devAuth: !options.authenticate,
    devAuthNewUsers,
    async close() {
      limiter.close();
      await gateway.close();
      await options.voice?.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await storage.close();
    },
  };
}
