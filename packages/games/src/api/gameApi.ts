import type { FastifyPluginAsync } from 'fastify';
import type { GameHost } from '../host/GameHost.js';
import type { GameApiContext } from './GameApiContext.js';
import { GameApiError } from './GameApiError.js';
import type { GameVoice } from './GameVoice.js';
import { partyRoutes } from './routes/partyRoutes.js';
import { playerRoutes } from './routes/playerRoutes.js';
import { reportRoutes } from './routes/reportRoutes.js';
import { speechRoutes } from './routes/speechRoutes.js';
import { voiceRoutes } from './routes/voiceRoutes.js';
import { serviceTokenCheck } from './serviceTokens.js';
import { toGameApiError } from './toGameApiError.js';

/** Options of the {@link gameApi} plugin. */
export interface GameApiOptions {
  host: GameHost;
  /**
   * What the game backend sends as `Authorization: Service <token>` (at least 32 characters each; several for
   * rotation). Service routes act as the game's service user; player routes take a player token instead.
   */
  serviceTokens: readonly string[];
  /** The voice server in this process (`@concord/voice`'s VoiceServer), for the `/voice/…` routes. */
  voice?: GameVoice;
  /** Told of answers 500 (never sent to the client). */
  onInternalError?(error: unknown, request: { method: string; url: string }): void;
}

/**
 * The server-to-server API of a {@link GameHost}, as a Fastify plugin (`app.register(gameApi, { host,
 * serviceTokens, prefix: '/games/v1' })`): JSON in and out, bodies validated by schema before anything runs,
 * refusals as `{ code, message }` — our own codes, or Discord's for what the community refused. Encapsulated: its
 * error handler applies to its own routes only. docs/GAMES.md lists the routes.
 */
export const gameApi: FastifyPluginAsync<GameApiOptions> = async (app, options) => {
  const isService = serviceTokenCheck(options.serviceTokens);
  const { host } = options;
  const ctx: GameApiContext = {
    host,
    voice: options.voice ?? null,
    service: {
      async onRequest(request) {
        if (!isService(request.headers.authorization))
          throw new GameApiError(401, 'UNAUTHORIZED', 'A service token is needed (Authorization: Service <token>)');
      },
    },
    requirePlayer(request) {
      const match = /^Bearer (\S{1,4096})$/.exec(request.headers.authorization ?? '');
      const check = match ? host.tokens.verify(match[1]!) : null;
      if (!check?.ok)
        throw new GameApiError(401, 'UNAUTHORIZED', 'A player token is needed (Authorization: Bearer <token>)');
      return check.claims.userId;
    },
  };
  app.setErrorHandler((error, request, reply) => {
    const { error: answer, internal } = toGameApiError(error);
    if (internal) options.onInternalError?.(error, { method: request.method, url: request.url });
    return reply.code(answer.status).send({ code: answer.code, message: answer.message });
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ code: 'NOT_FOUND', message: 'No such route' }));
  playerRoutes(app, ctx);
  partyRoutes(app, ctx);
  voiceRoutes(app, ctx);
  speechRoutes(app, ctx);
  reportRoutes(app, ctx);
};
