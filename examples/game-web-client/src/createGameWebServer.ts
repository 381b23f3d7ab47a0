// The whole demo on one port, as a studio would assemble it (packages/games/__tests__/matchHarness.ts does the same
// for the package's tests): a community on in-memory stores, the gateway and Discord's REST on one Fastify server, the
// voice server (SFU, WebRTC for browsers) as the gateway's allocator, the game API over a GameHost, the demo lobby and
// the page.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createPlayerAuthenticate, GameHost, gameApi, TextSafety } from '@concord/games';
import { createGatewayServer } from '@concord/gateway-server';
import { Community } from '@concord/guilds';
import { concordRest, restFrameworkErrors } from '@concord/rest-server';
import { createInMemoryStore } from '@concord/storage-adapters';
import { createInMemoryEntityStore } from '@concord/storage-adapters/entities';
import { createVoiceServer } from '@concord/voice';
import Fastify from 'fastify';
import { demoLobby } from './demoLobby.js';
import { servePage } from './servePage.js';

export interface GameWebServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** The game API's service token (its backend's credential); default: random, printed nowhere. */
  serviceToken?: string;
}

export interface GameWebServer {
  /** `http://host:port`: the page, the gateway, `/api/v10`, `/games/v1` and `/demo`. */
  url: string;
  close(): Promise<void>;
}

export async function createGameWebServer(options: GameWebServerOptions = {}): Promise<GameWebServer> {
  const host = options.host ?? '127.0.0.1';
  const textSafety = new TextSafety();
  const store = createInMemoryEntityStore();
  const community = new Community({ store, messages: createInMemoryStore(), messageFilter: textSafety });
  const voice = await createVoiceServer({ host });
  const game = await GameHost.open({
    community,
    guild: { id: '1300000000000000000', name: 'Demo arena' },
    serviceUser: { id: '1300000000000000001', username: 'Arena' },
    keys: [{ id: 'demo', secret: randomBytes(32) }],
    reports: { store, textSafety, audio: voice },
  });
  const authenticate = createPlayerAuthenticate({ tokens: game.tokens, findUser: (id) => community.users.find(id) });
  const app = Fastify({ frameworkErrors: restFrameworkErrors });
  const gateway = await createGatewayServer({
    server: app.server,
    directory: community.directory,
    authenticate,
    voiceAllocator: voice,
  });
  await app.register(concordRest, { community, authenticate, gateway, prefix: '/api' });
  const serviceToken = options.serviceToken ?? randomBytes(24).toString('base64url');
  await app.register(gameApi, { host: game, serviceTokens: [serviceToken], voice, prefix: '/games/v1' });
  demoLobby(app, game, voice);
  await servePage(app);
  await community.attach(gateway);
  await app.listen({ host, port: options.port ?? 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    async close() {
      await game.close();
      await gateway.close();
      await app.close();
      await voice.close();
    },
  };
}
