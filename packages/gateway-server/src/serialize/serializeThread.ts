import type { APIThreadChannel, APIThreadMember, APIThreadMetadata } from 'discord-api-types/v10';
import type { ChannelData } from '../types.js';
import { discordTimestamp, discordTimestampOrNull } from './discordTimestamp.js';
import { bool, num, str, strOrNull } from './fields.js';

/** A thread's metadata as an application keeps it (timestamps may be any date form). */
export interface ThreadMetadataData {
  archived?: boolean;
  auto_archive_duration?: number;
  archive_timestamp?: Date | number | string;
  locked?: boolean;
  invitable?: boolean;
  create_timestamp?: Date | number | string | null;
}

/** A thread member as an application keeps it. */
export interface ThreadMemberData {
  /** The thread's id (left out inside GUILD_CREATE's threads and THREAD_CREATE's `member`, as Discord does). */
  id?: string;
  user_id: string;
  join_timestamp: Date | number | string;
  flags?: number;
}

/**
 * Discord's thread channel object (THREAD_CREATE/UPDATE, `GET /channels/{thread}`, thread lists): unlike guild
 * channels it has no position, overwrites or nsfw (a thread takes its parent's), and always carries its owner,
 * `thread_metadata` and counts. `member` is the viewer's thread member, when the viewer is in the thread.
 */
export function serializeThread(thread: ChannelData, member?: ThreadMemberData): APIThreadChannel {
  const meta = (thread.thread_metadata ?? {}) as ThreadMetadataData;
  const metadata: APIThreadMetadata = {
    archived: bool(meta.archived, false),
    auto_archive_duration: num(meta.auto_archive_duration, 4320) as APIThreadMetadata['auto_archive_duration'],
    archive_timestamp: discordTimestamp(meta.archive_timestamp ?? meta.create_timestamp ?? Date.now()),
    locked: bool(meta.locked, false),
  };
  if (meta.invitable !== undefined) metadata.invitable = meta.invitable;
  if (meta.create_timestamp !== undefined)
    metadata.create_timestamp = discordTimestampOrNull(meta.create_timestamp) ?? undefined;
  const out = {
    id: thread.id,
    type: thread.type,
    guild_id: str(thread.guild_id, ''),
    parent_id: strOrNull(thread.parent_id),
    owner_id: str(thread.owner_id, ''),
    name: str(thread.name, ''),
    last_message_id: strOrNull(thread.last_message_id),
    rate_limit_per_user: num(thread.rate_limit_per_user, 0),
    flags: num(thread.flags, 0),
    thread_metadata: metadata,
    message_count: num(thread.message_count, 0),
    member_count: num(thread.member_count, 0),
    total_message_sent: num(thread.total_message_sent, 0),
    ...(Array.isArray(thread.applied_tags) ? { applied_tags: thread.applied_tags } : {}),
    ...(member ? { member: serializeThreadMember(member) } : {}),
  };
  // Built per thread type above; APIThreadChannel is a union discriminated by `type`.
  return out as unknown as APIThreadChannel;
}

/** Discord's thread member object. */
export function serializeThreadMember(member: ThreadMemberData): APIThreadMember {
  return {
    ...(member.id !== undefined ? { id: member.id } : {}),
    user_id: member.user_id,
    join_timestamp: discordTimestamp(member.join_timestamp),
    flags: num(member.flags, 0),
  } as APIThreadMember;
}
