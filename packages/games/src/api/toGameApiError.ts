import { CommunityError, PermissionError, SlowmodeError, UnknownEntityError, ValidationError } from '@concord/guilds';
import { PartyError, type PartyErrorCode } from '../parties/PartyError.js';
import { PlayerTokenError } from '../tokens/PlayerTokenError.js';
import { GameApiError } from './GameApiError.js';

const PARTY_STATUS: Record<PartyErrorCode, number> = {
  PARTY_ENDED: 410,
  PARTY_FULL: 409,
  PARTY_CLOSED: 403,
  JOIN_TOKEN_REQUIRED: 401,
  JOIN_TOKEN_INVALID: 403,
  NOT_A_PLAYER: 404,
  NOT_A_MEMBER: 404,
  INVALID_OPTIONS: 400,
  PARTY_LIMIT: 503,
};

/**
 * What an error becomes on the wire: our own refusals with their codes, the community's with Discord's codes and
 * statuses (the game backend may already know them from Discord), Fastify's body validation as 400; anything else a
 * 500 whose message is not sent (it may name internals) — `internal` says to log it.
 */
export function toGameApiError(error: unknown): { error: GameApiError; internal: boolean } {
  if (error instanceof GameApiError) return { error, internal: false };
  if (error instanceof PartyError) return known(PARTY_STATUS[error.code], error.code, error.message, error);
  if (error instanceof PlayerTokenError) return known(400, error.code, error.message, error);
  if (error instanceof ValidationError) return known(400, error.code, error.message, error);
  if (error instanceof PermissionError) return known(403, error.code, error.message, error);
  if (error instanceof UnknownEntityError) return known(404, error.code, error.message, error);
  if (error instanceof SlowmodeError) return known(429, error.code, error.message, error);
  if (error instanceof CommunityError) return known(error.status, error.code, error.message, error);
  const { code, statusCode, validation } = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    statusCode?: unknown;
    validation?: unknown;
  };
  if (validation !== undefined) return known(400, 'INVALID_BODY', (error as Error).message, error);
  if (typeof code === 'string' && code.startsWith('FST_') && typeof statusCode === 'number' && statusCode < 500)
    return known(statusCode, code, (error as Error).message, error);
  return { error: new GameApiError(500, 'INTERNAL', 'Internal server error', { cause: error }), internal: true };
}

function known(status: number, code: string | number, message: string, cause: unknown) {
  return { error: new GameApiError(status, code, message, { cause }), internal: false };
}
