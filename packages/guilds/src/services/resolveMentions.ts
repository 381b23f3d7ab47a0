import type { UserData } from '@concord/gateway-server';
import type { SerializedMessage } from '@concord/gateway-server/serialize';
import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import type { AllowedMentions } from '../validation/validateAllowedMentions.js';
import type { ResolvedChannel } from './resolveChannel.js';

/** Who a message mentions, once `allowed_mentions` and the author's permissions have had their say. */
export interface ResolvedMentions {
  users: UserData[];
  roles: string[];
  everyone: boolean;
}

/** At most this many distinct mentions of each kind are parsed from one message's content. */
const MAX_PARSED = 100;

/**
 * The mentions of a message as Discord resolves them: `<@id>`/`<@!id>` users (known users; in a guild, members),
 * `<@&id>` roles of the guild (mentionable ones, or any with MENTION_EVERYONE), `@everyone`/`@here` only with
 * MENTION_EVERYONE. `allowed_mentions` absent parses everything; present, only what it lists (`parse` types, or the
 * listed ids). A reply mentions the replied-to author unless `replied_user` is false.
 */
export async function resolveMentions(
  ctx: CommunityContext,
  target: ResolvedChannel,
  content: string,
  allowed: AllowedMentions | undefined,
  replied: SerializedMessage | null,
): Promise<ResolvedMentions> {
  const parse = new Set(allowed ? allowed.parse : ['users', 'roles', 'everyone']);
  const userIds = new Set<string>();
  const roleIds = new Set<string>();
  for (const match of content.matchAll(/<@!?(\d{1,20})>/g)) {
    if (userIds.size >= MAX_PARSED) break;
    const id = match[1]!;
    if (parse.has('users') || allowed?.users.includes(id)) userIds.add(id);
  }
  for (const match of content.matchAll(/<@&(\d{1,20})>/g)) {
    if (roleIds.size >= MAX_PARSED) break;
    const id = match[1]!;
    if (parse.has('roles') || allowed?.roles.includes(id)) roleIds.add(id);
  }
  if (replied && (allowed?.replied_user ?? true)) userIds.add(replied.author.id);
  const canEveryone = (target.permissions & P.MentionEveryone) !== 0n;
  const everyone = parse.has('everyone') && canEveryone && /@(everyone|here)\b/.test(content);
  const users: UserData[] = [];
  const known = await ctx.users.getMany([...userIds]);
  for (const id of userIds) {
    const user = known.get(id);
    if (!user) continue;
    if (target.state && !target.state.members.has(id)) continue;
    if (!target.state && !(target.channel.recipient_ids ?? []).includes(id)) continue;
    users.push(user);
  }
  const roles: string[] = [];
  if (target.state) {
    for (const id of roleIds) {
      const role = target.state.roles.get(id);
      if (role && id !== target.state.id && (role.mentionable || canEveryone)) roles.push(id);
    }
  }
  return { users, roles, everyone };
}
