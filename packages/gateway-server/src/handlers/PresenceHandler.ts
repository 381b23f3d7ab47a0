import type { Directory } from '../Directory.js';
import { isThenable } from '../isThenable.js';
import { serializeActivity, serializePresence } from '../serialize/serializePresence.js';
import type { Session } from '../session/Session.js';
import type { LazyMemberLists, PresenceData, Snowflake } from '../types.js';
import { type ValidPresence, validatePresence } from '../validatePresence.js';
import { CloseCode } from '../wire/protocol.js';
import type { CommandClient } from './CommandClient.js';

/** What presence handling needs from the server. */
export interface PresenceContext {
  readonly directory: Pick<Directory, 'setPresence'>;
  readonly lazy: Pick<LazyMemberLists, 'presenceUpdated'> | undefined;
  dispatchToGuild(guildId: Snowflake, event: string, data: unknown): void;
  /** The session's shared record changed (resume store). */
  touch(session: Session): void;
  reportError(message: string, error: unknown, fields?: Record<string, unknown>): void;
}

/**
 * op 3 Presence Update, the presence an Identify carries, and the offline presence when a user's last session here
 * ends. Remembers which users this node announced, so only those are announced offline.
 */
export class PresenceHandler {
  readonly #context: PresenceContext;
  /** Users whose presence this node announced: their last session ending here announces them offline. */
  readonly #announced = new Set<Snowflake>();

  constructor(context: PresenceContext) {
    this.#context = context;
  }

  /** op 3: anything but Discord's shape closes with 4002; what is relayed is rebuilt from the checked fields. */
  update(client: CommandClient, session: Session, d: unknown): void {
    const checked = validatePresence(d);
    if (!checked.ok) {
      client.close(CloseCode.DecodeError, 'Invalid presence');
      return;
    }
    this.set(session, checked.presence);
  }

  set(session: Session, valid: ValidPresence): void {
    const status = valid.status === 'invisible' ? 'offline' : valid.status;
    const presence: PresenceData = {
      user: { id: session.userId },
      status,
      // Stamped once (id, created_at) so every later copy of this presence shows the same activity.
      activities: valid.activities.map((a) => serializeActivity(a, Date.now())),
      client_status: status === 'offline' ? {} : { desktop: status },
    };
    session.presence = presence;
    this.#announced.add(session.userId);
    this.#context.touch(session);
    this.#record(session.userId, { ...presence, status: valid.status });
    this.#broadcast([...session.guilds], presence);
  }

  /**
   * The user's last session on this node ended for good: the directory forgets their presence (a later GUILD_CREATE
   * must not show a gone user as online/dnd), and whoever saw a presence from here is told they are offline.
   */
  lastSessionEnded(session: Session, guilds: Snowflake[]): void {
    const userId = session.userId;
    const offline: PresenceData = { user: { id: userId }, status: 'offline', activities: [], client_status: {} };
    this.#record(userId, offline);
    if (this.#announced.delete(userId) || session.presence) this.#broadcast(guilds, offline);
  }

  #record(userId: Snowflake, presence: PresenceData): void {
    try {
      const result = this.#context.directory.setPresence?.(userId, presence);
      if (result && isThenable(result)) {
        Promise.resolve(result).catch((error) => this.#context.reportError('setPresence failed', error));
      }
    } catch (error) {
      this.#context.reportError('setPresence failed', error);
    }
  }

  #broadcast(guilds: Snowflake[], presence: PresenceData): void {
    for (const guildId of guilds) {
      this.#context.dispatchToGuild(guildId, 'PRESENCE_UPDATE', serializePresence(presence, guildId));
      try {
        this.#context.lazy?.presenceUpdated(guildId, presence);
      } catch (error) {
        this.#context.reportError('member list presence update failed', error, { guildId });
      }
    }
  }
}
