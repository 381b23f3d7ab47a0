import type { RunningServer } from '../../examples/chat-server/__tests__/startServer.js';
import { GENERAL_TEXT_ID, GENERAL_VOICE_ID, LOBBY_ID } from '../../examples/chat-server/src/createChatServer.js';

/**
 * The environment every bot program in interop/ reads: where the server is (the one setting a real bot changes),
 * its token (dev auth: the token names the bot) and the seeded ids it posts into.
 */
export function interopEnv(server: RunningServer, lib: string): Record<string, string> {
  return {
    CONCORD_URL: server.url,
    CONCORD_PORT: String(server.port),
    CONCORD_TOKEN: `interop-${lib.replace(/[^a-z0-9]/gi, '')}`,
    CONCORD_GUILD_ID: LOBBY_ID,
    CONCORD_CHANNEL_ID: GENERAL_TEXT_ID,
    CONCORD_VOICE_CHANNEL_ID: GENERAL_VOICE_ID,
    INTEROP_LIB: lib,
    // Python bots import a module of their folder: no __pycache__ in the repo.
    PYTHONDONTWRITEBYTECODE: '1',
  };
}
