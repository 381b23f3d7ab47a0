import type { FastifyRequest } from 'fastify';
import type { GameHost } from '../host/GameHost.js';
import type { GameVoice } from './GameVoice.js';

/** What every route group of the game API shares. */
export interface GameApiContext {
  host: GameHost;
  voice: GameVoice | null;
  /**
   * The route options of a service route (`{ ...ctx.service, schema }`): its `onRequest` checks `Authorization: Service
   * <token>` and answers 401 otherwise.
   */
  readonly service: { onRequest(request: FastifyRequest): Promise<void> };
  /** The player routes' check (`Authorization: Bearer <player token>`): the player's user id, or a 401. */
  requirePlayer(request: FastifyRequest): string;
}
