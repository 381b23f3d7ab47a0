import type { CommunityContext } from '../community/CommunityContext.js';
import type { CommandPermissionsRecord, CommandRecord } from '../model/interactionRecords.js';

/** Where an invocation happens, as the interaction layer resolved it. */
export interface InvocationPlace {
  guildId: string | null;
  channelId: string;
  /** The invoking user's permissions in the channel (DM permissions in a DM). */
  permissions: bigint;
}

/**
 * Application commands (global and per guild) and their permissions. OWNED BY A HELPER: skeleton only.
 */
export class ApplicationCommandService {
  constructor(private readonly ctx: CommunityContext) {}

  /** `GET /applications/{app}[/guilds/{guild}]/commands`. */
  list(_actorId: string, _applicationId: string, _guildId: string | null): Promise<CommandRecord[]> {
    void this.ctx;
    throw new Error('not implemented');
  }

  /**
   * The command `userId` invokes at `place` (INTERACTION_CREATE's `data.id`): a global command or one of the
   * place's guild, visible to the user there. UnknownEntityError('command') otherwise.
   */
  resolveForInvoke(
    _userId: string,
    _applicationId: string,
    _commandId: string,
    _place: InvocationPlace,
  ): Promise<CommandRecord> {
    throw new Error('not implemented');
  }

  /** `GET /applications/{app}/guilds/{guild}/commands/{command}/permissions`. */
  getPermissions(
    _actorId: string,
    _applicationId: string,
    _guildId: string,
    _commandId: string,
  ): Promise<CommandPermissionsRecord> {
    throw new Error('not implemented');
  }
}
