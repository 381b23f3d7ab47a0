import type { FastifyRequest } from 'fastify';
import type { GameHost } from '../host/GameHost.js';
import type { GameVoice } from './GameVoice.js';

/** What every route group of the game API shares. */
export interface GameApiContext {
  host: GameHost;
  voice: GameVoice | null;
  /** The service routes' check (`Authorization: Service <token>`); throws a 401 GameApiError. */
  requireService(request: FastifyRequest): void;
  /** The player routes' check (`Authorization: Bearer <player token>`): the player's user id, or a 401. */
  requirePlayer(request: FastifyRequest): string;
}
