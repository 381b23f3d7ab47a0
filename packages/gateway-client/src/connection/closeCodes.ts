import { GatewayCloseCode } from '@concord/protocol';

/**
 * The code this client closes with when it drops a connection it wants to resume: the server keeps a session for
 * any code but 1000/1001, and 4000 (unknown error) claims nothing about the cause.
 */
export const RESUMABLE_CLOSE = GatewayCloseCode.UnknownError;

/** WebSocket normal closure: the server ends the session. */
export const SESSION_ENDING_CLOSE = 1000;
