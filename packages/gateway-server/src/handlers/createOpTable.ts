import { isObject } from '../isObject.js';
import type { LiveConnection } from '../session/LiveSession.js';
import type { OpHandler, OpTable } from '../transport/OpTable.js';
import type { LazyMemberLists } from '../types.js';
import { CloseCode } from '../wire/protocol.js';
import type { IdentifyHandler } from './IdentifyHandler.js';
import type { PresenceHandler } from './PresenceHandler.js';
import type { ResumeHandler } from './ResumeHandler.js';
import { type RequestGuildMembersContext, requestGuildMembers } from './requestGuildMembers.js';
import { requestSoundboardSounds } from './requestSoundboardSounds.js';
import type { StreamHandler } from './StreamHandler.js';
import type { VoiceStateHandler } from './VoiceStateHandler.js';

/** The handlers the op table routes to. */
export interface OpTableHandlers {
  readonly identify: IdentifyHandler;
  readonly resume: ResumeHandler;
  readonly presence: PresenceHandler;
  readonly voiceState: VoiceStateHandler;
  readonly streams: StreamHandler;
  readonly memberRequests: RequestGuildMembersContext;
  readonly lazy: LazyMemberLists | undefined;
  /** An async handler failed: logged, the connection closed with 4000. */
  internalError(connection: LiveConnection, error: unknown): void;
}

/** The client opcodes the gateway accepts, each to its handler (Discord's gateway v10 command set). */
export function createOpTable(handlers: OpTableHandlers): OpTable {
  const { internalError } = handlers;
  return new Map<number, OpHandler>([
    [
      1, // Heartbeat: answered at once; its `d` (the client's last seq) lets the replay buffer forget what came before.
      {
        session: false,
        handle(connection, d) {
          connection.sendControl(11, null);
          if (typeof d === 'number' && Number.isSafeInteger(d)) connection.session?.replay.ackThrough(d);
        },
      },
    ],
    [2, { session: false, handle: (connection, d) => void handlers.identify.identify(connection, d) }],
    [6, { session: false, handle: (connection, d) => void handlers.resume.resume(connection, d) }],
    [3, { session: true, handle: (connection, session, d) => handlers.presence.update(connection, session, d) }],
    [
      4,
      {
        session: true,
        handle: (connection, session, d) =>
          void handlers.voiceState.update(connection, session, d).catch((error) => internalError(connection, error)),
      },
    ],
    [
      8,
      {
        session: true,
        handle: (connection, session, d) =>
          void requestGuildMembers(handlers.memberRequests, connection, session, d).catch((error) =>
            internalError(connection, error),
          ),
      },
    ],
    [
      14, // Lazy member lists (the sidebar of Discord's own clients); ignored without an index.
      {
        session: true,
        handle(connection, session, d) {
          if (!isObject(d)) {
            connection.close(CloseCode.DecodeError, 'Decode error');
            return;
          }
          if (handlers.lazy) {
            Promise.resolve(handlers.lazy.subscribe(session.info(), d)).catch((error) =>
              internalError(connection, error),
            );
          }
        },
      },
    ],
    // Go Live (docs/protocol.md "Go Live"): 18 Stream Create, 19 Stream Delete, 20 Stream Watch, 21 Stream Ping,
    // 22 Stream Set Paused.
    [
      18,
      {
        session: true,
        handle: (connection, session, d) =>
          void handlers.streams.create(connection, session, d).catch((error) => internalError(connection, error)),
      },
    ],
    [19, { session: true, handle: (connection, session, d) => handlers.streams.delete(connection, session, d) }],
    [
      20,
      {
        session: true,
        handle: (connection, session, d) =>
          void handlers.streams.watch(connection, session, d).catch((error) => internalError(connection, error)),
      },
    ],
    [21, { session: true, handle: (connection, session, d) => handlers.streams.ping(connection, session, d) }],
    [22, { session: true, handle: (connection, session, d) => handlers.streams.setPaused(connection, session, d) }],
    [31, { session: true, handle: (_connection, session, d) => requestSoundboardSounds(session, d) }],
    // op 43 Request Channel Info: accepted and not answered (no channel info to give beyond GUILD_CREATE).
    [43, { session: true, handle: () => undefined }],
  ]);
}
