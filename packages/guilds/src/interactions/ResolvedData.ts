import {
  serializeChannel,
  serializeMemberWithoutUser,
  serializeRole,
  serializeUser,
} from '@concord/gateway-server/serialize';
import type { APIAttachment, APIInteractionDataResolved, APIMessage } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import type { GuildState } from '../state/GuildState.js';

/**
 * The `resolved` map of an interaction: every user, member, role, channel and message its options or values name, as
 * Discord fills it in. Lookups are the community's caches; whether an id exists is the caller's check (`has…`).
 */
export class ResolvedData {
  readonly #out: Record<
    'users' | 'members' | 'roles' | 'channels' | 'messages' | 'attachments',
    Record<string, unknown>
  > = {
    users: {},
    members: {},
    roles: {},
    channels: {},
    messages: {},
    attachments: {},
  };
  #used = false;

  constructor(
    private readonly ctx: CommunityContext,
    private readonly state: GuildState | null,
    private readonly actorId: string,
    /** Files uploaded with the invocation (multipart `files[n]`), by `n`. */
    private readonly uploads: ReadonlyMap<string, APIAttachment> = new Map(),
  ) {}

  /**
   * An ATTACHMENT option's value, which names an upload of the same request (`files[n]` → `n`, as Discord's client
   * numbers `data.attachments`): the stored attachment's id, added to `resolved`; undefined when there is no such file.
   */
  attachment(value: string): string | undefined {
    const file = this.uploads.get(value);
    if (!file) return undefined;
    this.#used = true;
    this.#out.attachments[file.id] = file;
    return file.id;
  }

  /** Adds a user (and their member in the guild); false when there is no such user. */
  async user(id: string): Promise<boolean> {
    const member = this.state?.members.get(id);
    const user = member?.data.user ?? (await this.ctx.users.get(id));
    if (!user) return false;
    this.#used = true;
    this.#out.users[id] = serializeUser(user);
    if (member && this.state) {
      const permissions = this.state.permissionsOf(id) ?? 0n;
      this.#out.members[id] = { ...serializeMemberWithoutUser(member.data), permissions: String(permissions) } as never;
    }
    return true;
  }

  /** Adds a role of the guild; false when the guild has none with this id. */
  role(id: string): boolean {
    const role = this.state?.roles.get(id);
    if (!role) return false;
    this.#used = true;
    this.#out.roles[id] = serializeRole(role);
    return true;
  }

  /** Adds a channel of the guild the actor can view, with the actor's permissions there; false otherwise. */
  channel(id: string, types?: readonly number[]): boolean {
    const channel = this.state?.channels.get(id);
    if (!channel || !this.state) return false;
    if (types && types.length > 0 && !types.includes(channel.type)) return false;
    const permissions = this.state.permissionsOf(this.actorId, id);
    if (permissions === null || (permissions & 1024n) === 0n) return false;
    const wire = serializeChannel(channel, this.state.id) as unknown as Record<string, unknown>;
    this.#used = true;
    this.#out.channels[id] = {
      id,
      type: channel.type,
      name: wire.name,
      permissions: String(permissions),
      ...(wire.parent_id !== undefined ? { parent_id: wire.parent_id } : {}),
      ...(wire.thread_metadata !== undefined ? { thread_metadata: wire.thread_metadata } : {}),
    } as never;
    return true;
  }

  /** Adds a message (a MESSAGE command's target). */
  message(message: APIMessage): void {
    this.#used = true;
    this.#out.messages[message.id] = message;
  }

  /** The map with its empty kinds left out, or undefined when nothing was resolved. */
  toJSON(): APIInteractionDataResolved | undefined {
    if (!this.#used) return undefined;
    const out: Record<string, unknown> = {};
    for (const [kind, map] of Object.entries(this.#out)) if (map && Object.keys(map).length > 0) out[kind] = map;
    return out as APIInteractionDataResolved;
  }
}
