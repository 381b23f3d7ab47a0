import type { Connection } from '../transport/Connection.js';
import type { Session } from './Session.js';

/**
 * A session as the server holds it: written through a {@link LiveConnection}, which points back at it. Session and
 * Connection each know the other only as a type parameter; this file ties the pair (and imports both, so neither
 * imports the other).
 */
export interface LiveSession extends Session<LiveConnection> {}

/** A connection as the server holds it: its `session` is a {@link LiveSession}. */
export interface LiveConnection extends Connection<LiveSession> {}
