import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayServer, type GatewayServer, type UserData } from '@concord/gateway-server';
import { SnowflakeGenerator } from '@concord/snowflake';
import { Community } from './Community.js';
import { normalizeToken, userIdForToken, usernameForToken } from './identity.js';
import { buildPage, type PageAssets } from './page.js';
import {
  createRestHandler,
  defaultRateLimits,
  type ModerationHook,
  type RateLimits,
} from './rest/createRestHandler.js';
import { RateLimiter } from './rest/RateLimiter.js';
import type { Storage } from './storage.js';
import type { LazyVoice } from './voice.js';

/** Production hook: a token (without `Bot `) → the user it belongs to, or null to refuse it. */
export type Authenticate = (token: string) => Promise<AuthenticatedIdentity | null> | AuthenticatedIdentity | null;
export interface AuthenticatedIdentity {
  id: string;
  username: string;
  bot?: boolean;
}

export interface ChatServerOptions {
  storage: Storage;
  port?: number;
  host?: string;
  /** Replaces dev auth (any token accepted, the token is the user name). */
  authenticate?: Authenticate;
  moderate?: ModerationHook;
  rateLimits?: Partial<RateLimits>;
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
  close(): Promise<void>;
}

/**
 * Dev auth: any token is accepted and names its user (`Bot ` prefix optional). A token first seen with the `Bot `
 * prefix makes a bot user (discord.js always calls GET /gateway/bot with it before connecting).
 */
const devAuthenticate: Authenticate = (token) => {
  const name = normalizeToken(token);
  if (!name) return null;
  return { id: userIdForToken(name), username: usernameForToken(name) };
};

export async function createChatServer(options: ChatServerOptions): Promise<ChatServer> {
  const { storage } = options;
  const authenticate = options.authenticate ?? devAuthenticate;
  const community = new Community(storage.users);
  const ids = new SnowflakeGenerator({ workerId: 0, processId: 0 });
  const limiter = new RateLimiter();

  const resolveUser = async (token: string, bot: boolean): Promise<UserData | null> => {
    const identity = await authenticate(token);
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
    authenticate: async (token) => {
      const user = await resolveUser(token, false);
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
