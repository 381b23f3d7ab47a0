import { serializeThread, serializeThreadMember, type ThreadMemberData } from '@concord/gateway-server/serialize';
import type { APIThreadChannel, APIThreadMember } from 'discord-api-types/v10';
import { AuditLogEvent, ChannelType, PermissionFlagsBits as P } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { CommunityError } from '../errors/CommunityError.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import type { ChannelRecord, ThreadMemberRecord } from '../model/records.js';
import { assertPermissions } from '../permissions/assertPermissions.js';
import { isThread } from '../state/channelKinds.js';
import type { GuildState } from '../state/GuildState.js';
import { put, remove, removeAll } from '../store/CommunityRepository.js';
import { checkBoolean } from '../validation/checkBoolean.js';
import { checkInteger } from '../validation/checkInteger.js';
import { checkObject } from '../validation/checkObject.js';
import { checkString } from '../validation/checkString.js';
import { FormErrors } from '../validation/FormErrors.js';
import { formErrorMessages } from '../validation/formErrorMessages.js';
import { InvalidFormBodyError } from '../validation/ValidationError.js';
import { requireChannel, requireChannelPermissions, requireMember } from './access.js';
import { diffChanges } from './diffChanges.js';
import type { ThreadActivity } from './ThreadActivity.js';

/** The auto-archive durations Discord accepts, in minutes. */
export const AUTO_ARCHIVE_DURATIONS = [60, 1440, 4320, 10080] as const;

interface ThreadMetadata {
  archived: boolean;
  auto_archive_duration: number;
  archive_timestamp: string;
  locked: boolean;
  invitable?: boolean;
  create_timestamp: string;
}

/** A thread list page (`GET …/threads/archived/…`, `GET /guilds/{id}/threads/active`). */
export interface ThreadList {
  threads: APIThreadChannel[];
  members: APIThreadMember[];
  has_more?: boolean;
}

/**
 * Threads: start one in a text or announcement channel (public with CREATE_PUBLIC_THREADS, private with
 * CREATE_PRIVATE_THREADS; from a message, the thread takes the message's id as Discord does), modify it (the owner
 * renames and archives their own; MANAGE_THREADS for the rest and for locking), delete (MANAGE_THREADS), join, leave,
 * add and remove members, and list active and archived ones. A thread takes its parent's overwrites; a private one is
 * visible to its members and to MANAGE_THREADS holders only (GuildState.permissionsOf).
 */
export class ThreadService implements ThreadActivity {
  constructor(private readonly ctx: CommunityContext) {}

  /** `POST /channels/{id}/threads` and, with `messageId`, `POST /channels/{id}/messages/{message}/threads`. */
  async create(
    actorId: string,
    guildId: string,
    parentId: string,
    body: Record<string, unknown> | undefined,
    messageId?: string,
    reason?: string,
  ): Promise<APIThreadChannel> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    const parent = requireChannel(state, parentId);
    if (parent.type !== ChannelType.GuildText && parent.type !== ChannelType.GuildAnnouncement)
      throw new CommunityError('wrongChannelType');
    const errors = new FormErrors();
    checkObject(body, errors, []);
    const name = checkString(body?.name, errors, ['name'], { max: 100, required: true, trim: true });
    const duration = this.#duration(body?.auto_archive_duration, errors) ?? 4320;
    let type: number = ChannelType.PublicThread;
    if (messageId === undefined && body?.type !== undefined && body.type !== null) {
      type = checkInteger(body.type, errors, ['type'], 10, 12) ?? ChannelType.PublicThread;
      if (type === 10 && parent.type !== ChannelType.GuildAnnouncement)
        errors.add(['type'], formErrorMessages.choices([11, 12]).code, formErrorMessages.choices([11, 12]).message);
    } else if (messageId !== undefined && parent.type === ChannelType.GuildAnnouncement)
      type = ChannelType.AnnouncementThread;
    const invitable = checkBoolean(body?.invitable, errors, ['invitable']);
    const slowmode = checkInteger(body?.rate_limit_per_user, errors, ['rate_limit_per_user'], 0, 21600);
    if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
    requireChannelPermissions(
      state,
      actorId,
      parentId,
      type === ChannelType.PrivateThread ? P.CreatePrivateThreads : P.CreatePublicThreads,
    );
    let id = ctx.nextId();
    if (messageId !== undefined) {
      assertPermissions(state.permissionsOf(actorId, parentId) ?? 0n, P.ReadMessageHistory);
      const message = await ctx.messages.get(parentId, messageId);
      if (!message || message.deleted) throw new UnknownEntityError('message');
      if (state.channels.has(messageId)) throw new CommunityError('alreadyThreaded');
      id = messageId;
    }
    const now = new Date(ctx.now()).toISOString();
    const metadata: ThreadMetadata = {
      archived: false,
      auto_archive_duration: duration,
      archive_timestamp: now,
      locked: false,
      create_timestamp: now,
    };
    if (type === ChannelType.PrivateThread) metadata.invitable = invitable ?? true;
    const thread: ChannelRecord = {
      id,
      type,
      guild_id: guildId,
      parent_id: parentId,
      owner_id: actorId,
      name: name!,
      last_message_id: null,
      rate_limit_per_user: slowmode ?? 0,
      flags: 0,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      thread_metadata: metadata,
    };
    const member: ThreadMemberRecord = { user_id: actorId, join_timestamp: now, flags: 0 };
    await ctx.repo.write([put('channel', guildId, id, thread), put('thread-member', id, actorId, member, actorId)]);
    await ctx.commit([
      { type: 'channel', guildId, channel: thread },
      { type: 'threadMember', guildId, threadId: id, userId: actorId, added: true },
    ]);
    const wire = serializeThread(thread);
    this.#announce(state, thread, 'THREAD_CREATE', { ...wire, newly_created: true });
    await ctx.audit.record({
      guildId,
      userId: actorId,
      targetId: id,
      actionType: AuditLogEvent.ThreadCreate,
      changes: diffChanges({}, { name: thread.name, type }),
      reason,
    });
    return serializeThread(thread, { ...member, id });
  }

  /** A thread as `viewerId` reads it (`GET /channels/{thread}`), with their thread member when they are in it. */
  async get(viewerId: string, guildId: string, threadId: string): Promise<APIThreadChannel> {
    const state = await this.ctx.guilds.require(guildId);
    const thread = this.#thread(state, threadId);
    requireChannelPermissions(state, viewerId, threadId);
    return serializeThread(thread, await this.#memberOf(threadId, viewerId));
  }

  /** `PATCH /channels/{thread}`: name, archived, locked, auto_archive_duration, invitable, rate_limit_per_user. */
  async modify(
    actorId: string,
    guildId: string,
    threadId: string,
    body: Record<string, unknown> | undefined,
    reason?: string,
  ): Promise<APIThreadChannel> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    const old = this.#thread(state, threadId);
    const granted = requireChannelPermissions(state, actorId, threadId);
    const manages = (granted & P.ManageThreads) !== 0n;
    const owns = old.owner_id === actorId;
    const errors = new FormErrors();
    checkObject(body, errors, []);
    const fields = body ?? {};
    const meta = { ...(old.thread_metadata as ThreadMetadata) };
    const next: ChannelRecord = { ...old };
    let needsManage = false;
    if (fields.name !== undefined) {
      next.name = checkString(fields.name, errors, ['name'], { max: 100, required: true, trim: true }) ?? old.name;
      if (!owns) needsManage = true;
    }
    if (fields.archived !== undefined) {
      const archived = checkBoolean(fields.archived, errors, ['archived']) ?? meta.archived;
      if (archived !== meta.archived) {
        meta.archived = archived;
        meta.archive_timestamp = new Date(ctx.now()).toISOString();
        if (!owns || (meta.locked && !archived)) needsManage = true;
      }
    }
    if (fields.locked !== undefined) {
      meta.locked = checkBoolean(fields.locked, errors, ['locked']) ?? meta.locked;
      needsManage = true;
    }
    if (fields.auto_archive_duration !== undefined) {
      meta.auto_archive_duration = this.#duration(fields.auto_archive_duration, errors) ?? meta.auto_archive_duration;
      if (!owns) needsManage = true;
    }
    if (fields.invitable !== undefined && old.type === ChannelType.PrivateThread) {
      meta.invitable = checkBoolean(fields.invitable, errors, ['invitable']) ?? meta.invitable;
      needsManage = true;
    }
    if (fields.rate_limit_per_user !== undefined) {
      next.rate_limit_per_user =
        checkInteger(fields.rate_limit_per_user, errors, ['rate_limit_per_user'], 0, 21600) ?? 0;
      needsManage = true;
    }
    if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
    if (needsManage && !manages) assertPermissions(granted, P.ManageThreads);
    if (
      (old.thread_metadata as ThreadMetadata).archived &&
      meta.archived &&
      !manages &&
      Object.keys(fields).some((k) => k !== 'archived')
    ) {
      throw new CommunityError('threadArchived');
    }
    next.thread_metadata = meta;
    const changes = diffChanges(old, next);
    if (changes.length === 0) return serializeThread(old);
    await ctx.repo.write([put('channel', guildId, threadId, next)]);
    await ctx.commit([{ type: 'channel', guildId, channel: next }]);
    const wire = serializeThread(next);
    this.#announce(state, next, 'THREAD_UPDATE', wire);
    await ctx.audit.record({
      guildId,
      userId: actorId,
      targetId: threadId,
      actionType: AuditLogEvent.ThreadUpdate,
      changes,
      reason,
    });
    return wire;
  }

  /** `DELETE /channels/{thread}`: MANAGE_THREADS. */
  async delete(actorId: string, guildId: string, threadId: string, reason?: string): Promise<APIThreadChannel> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    const thread = this.#thread(state, threadId);
    requireChannelPermissions(state, actorId, threadId, P.ManageThreads);
    const members = [...(state.threadMembers.get(threadId) ?? [])];
    await ctx.repo.write([
      remove('channel', guildId, threadId),
      removeAll('thread-member', threadId),
      removeAll('pin', threadId),
    ]);
    const wire = serializeThread(thread);
    this.#announce(
      state,
      thread,
      'THREAD_DELETE',
      { id: threadId, guild_id: guildId, parent_id: (thread.parent_id as string) ?? null, type: thread.type },
      members,
    );
    await ctx.commit([{ type: 'channelDelete', guildId, channelId: threadId }]);
    await ctx.audit.record({
      guildId,
      userId: actorId,
      targetId: threadId,
      actionType: AuditLogEvent.ThreadDelete,
      reason,
    });
    return wire;
  }

  /** `PUT /channels/{thread}/thread-members/@me` (join) and `…/{user}` (add: SEND_MESSAGES_IN_THREADS; private threads invitable or MANAGE_THREADS). */
  async addMember(actorId: string, guildId: string, threadId: string, userId: string = actorId): Promise<void> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    const thread = this.#thread(state, threadId);
    const granted = requireChannelPermissions(state, actorId, threadId);
    const meta = thread.thread_metadata as ThreadMetadata;
    if (userId !== actorId) {
      assertPermissions(granted, P.SendMessagesInThreads);
      if (thread.type === ChannelType.PrivateThread && meta.invitable === false)
        assertPermissions(granted, P.ManageThreads);
      requireMember(state, userId);
    }
    if (state.threadMembers.get(threadId)?.has(userId)) return;
    // Joining an archived thread unarchives it (Discord's rule for any activity in it); a locked one stays shut.
    if (meta.archived && meta.locked && (granted & P.ManageThreads) === 0n) throw new CommunityError('threadArchived');
    if (meta.archived) await this.#unarchive(state, thread);
    const current = state.channels.get(threadId) ?? thread;
    const member: ThreadMemberRecord = { user_id: userId, join_timestamp: new Date(ctx.now()).toISOString(), flags: 0 };
    const count = (state.threadMembers.get(threadId)?.size ?? 0) + 1;
    const next = { ...current, member_count: Math.min(count, 50) };
    await ctx.repo.write([
      put('thread-member', threadId, userId, member, userId),
      put('channel', guildId, threadId, next),
    ]);
    await ctx.commit([
      { type: 'threadMember', guildId, threadId, userId, added: true },
      { type: 'channel', guildId, channel: next },
    ]);
    const gateway = ctx.gateway();
    gateway?.dispatchToUsers(
      userId,
      'THREAD_MEMBER_UPDATE',
      { ...serializeThreadMember({ ...member, id: threadId }), guild_id: guildId } as never,
      { guildId },
    );
    if (thread.type === ChannelType.PrivateThread)
      gateway?.dispatchToUsers(userId, 'THREAD_CREATE', serializeThread(next, { ...member, id: threadId }) as never, {
        guildId,
      });
    this.#membersUpdate(state, threadId, count, [{ ...member, id: threadId }], []);
  }

  /** `DELETE /channels/{thread}/thread-members/@me` (leave) and `…/{user}` (remove: MANAGE_THREADS, or the owner of a private thread). */
  async removeMember(actorId: string, guildId: string, threadId: string, userId: string = actorId): Promise<void> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    const thread = this.#thread(state, threadId);
    const granted = requireChannelPermissions(state, actorId, threadId);
    if (userId !== actorId && !(thread.type === ChannelType.PrivateThread && thread.owner_id === actorId))
      assertPermissions(granted, P.ManageThreads);
    if ((thread.thread_metadata as ThreadMetadata).archived) throw new CommunityError('threadArchived');
    if (!state.threadMembers.get(threadId)?.has(userId)) return;
    const count = Math.max((state.threadMembers.get(threadId)?.size ?? 1) - 1, 0);
    const next = { ...thread, member_count: Math.min(count, 50) };
    await ctx.repo.write([remove('thread-member', threadId, userId), put('channel', guildId, threadId, next)]);
    await ctx.commit([
      { type: 'threadMember', guildId, threadId, userId, added: false },
      { type: 'channel', guildId, channel: next },
    ]);
    this.#membersUpdate(state, threadId, count, [], [userId]);
  }

  /** `GET /channels/{thread}/thread-members`. */
  async members(
    actorId: string,
    guildId: string,
    threadId: string,
    query: { after?: string; limit?: number } = {},
  ): Promise<APIThreadMember[]> {
    const state = await this.ctx.guilds.require(guildId);
    this.#thread(state, threadId);
    requireChannelPermissions(state, actorId, threadId);
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 100);
    const page = await this.ctx.repo.list('thread-member', threadId, {
      limit,
      ...(query.after ? { after: query.after } : {}),
    });
    return page.map((r) => serializeThreadMember({ ...r.value, id: threadId }));
  }

  /** `GET /channels/{thread}/thread-members/{user}`. */
  async member(actorId: string, guildId: string, threadId: string, userId: string): Promise<APIThreadMember> {
    const state = await this.ctx.guilds.require(guildId);
    this.#thread(state, threadId);
    requireChannelPermissions(state, actorId, threadId);
    const found = await this.#memberOf(threadId, userId);
    if (!found) throw new UnknownEntityError('member');
    return serializeThreadMember(found);
  }

  /** `GET /guilds/{id}/threads/active`: the unarchived threads the actor can see. */
  async active(actorId: string, guildId: string): Promise<ThreadList> {
    const state = await this.ctx.guilds.require(guildId);
    requireMember(state, actorId);
    return this.#list(state, actorId, (t) => !(t.thread_metadata as ThreadMetadata).archived, 1000);
  }

  /** `GET /channels/{id}/threads/archived/public|private` (private: MANAGE_THREADS) and `…/users/@me/threads/archived/private`. */
  async archived(
    actorId: string,
    guildId: string,
    parentId: string,
    kind: 'public' | 'private' | 'joined',
    query: { before?: string; limit?: number } = {},
  ): Promise<ThreadList> {
    const state = await this.ctx.guilds.require(guildId);
    const granted = requireChannelPermissions(state, actorId, parentId, P.ReadMessageHistory);
    if (kind === 'private') assertPermissions(granted, P.ManageThreads);
    const before = query.before !== undefined ? Date.parse(query.before) : Number.POSITIVE_INFINITY;
    const limit = Math.min(Math.max(query.limit ?? 50, 2), 100);
    return this.#list(
      state,
      actorId,
      (t) => {
        const meta = t.thread_metadata as ThreadMetadata;
        if (t.parent_id !== parentId || !meta.archived || Date.parse(meta.archive_timestamp) >= before) return false;
        if (kind === 'public') return t.type !== ChannelType.PrivateThread;
        if (kind === 'private') return t.type === ChannelType.PrivateThread;
        return t.type === ChannelType.PrivateThread && state.threadMembers.get(t.id)?.has(actorId) === true;
      },
      limit,
    );
  }

  /**
   * A message was posted in a thread: an archived (not locked) thread is unarchived, as on Discord, and the author
   * joins it. Called by MessageService before it stores the message.
   */
  async touched(actorId: string, state: GuildState, thread: ChannelRecord, permissions: bigint): Promise<void> {
    const meta = thread.thread_metadata as ThreadMetadata;
    if (meta.locked && (permissions & P.ManageThreads) === 0n) throw new CommunityError('threadArchived');
    if (meta.archived) await this.#unarchive(state, thread);
    if (!state.threadMembers.get(thread.id)?.has(actorId)) await this.addMember(actorId, state.id, thread.id);
  }

  /** Activity unarchives a thread whoever caused it (no permission of theirs is involved). */
  async #unarchive(state: GuildState, thread: ChannelRecord): Promise<void> {
    const { ctx } = this;
    const meta = {
      ...(thread.thread_metadata as ThreadMetadata),
      archived: false,
      archive_timestamp: new Date(ctx.now()).toISOString(),
    };
    const next: ChannelRecord = { ...thread, thread_metadata: meta };
    await ctx.repo.write([put('channel', state.id, thread.id, next)]);
    await ctx.commit([{ type: 'channel', guildId: state.id, channel: next }]);
    this.#announce(state, next, 'THREAD_UPDATE', serializeThread(next));
  }

  async #list(
    state: GuildState,
    viewerId: string,
    keep: (thread: ChannelRecord) => boolean,
    limit: number,
  ): Promise<ThreadList> {
    const threads: APIThreadChannel[] = [];
    const members: APIThreadMember[] = [];
    const candidates = [...state.channels.values()].filter((c) => isThread(c.type) && keep(c));
    candidates.sort(
      (a, b) =>
        Date.parse((b.thread_metadata as ThreadMetadata).archive_timestamp) -
        Date.parse((a.thread_metadata as ThreadMetadata).archive_timestamp),
    );
    for (const thread of candidates) {
      if (threads.length >= limit) break;
      const view = state.permissionsOf(viewerId, thread.id) ?? 0n;
      if ((view & P.ViewChannel) === 0n) continue;
      threads.push(serializeThread(thread));
      const member = state.threadMembers.get(thread.id)?.has(viewerId)
        ? await this.#memberOf(thread.id, viewerId)
        : undefined;
      if (member) members.push(serializeThreadMember(member));
    }
    return { threads, members, has_more: candidates.length > threads.length };
  }

  async #memberOf(threadId: string, userId: string): Promise<ThreadMemberData | undefined> {
    const record = await this.ctx.repo.get('thread-member', threadId, userId);
    return record ? { ...record, id: threadId } : undefined;
  }

  #thread(state: GuildState, threadId: string): ChannelRecord {
    const thread = state.channels.get(threadId);
    if (!thread || !isThread(thread.type)) throw new UnknownEntityError('channel');
    return thread;
  }

  #duration(value: unknown, errors: FormErrors): number | undefined {
    const minutes = checkInteger(value, errors, ['auto_archive_duration'], 60, 10080);
    if (minutes !== undefined && !(AUTO_ARCHIVE_DURATIONS as readonly number[]).includes(minutes)) {
      const error = formErrorMessages.choices(AUTO_ARCHIVE_DURATIONS);
      errors.add(['auto_archive_duration'], error.code, error.message);
      return undefined;
    }
    return minutes;
  }

  /** Public threads go to those who can view the parent; private ones to their members (and thread managers). */
  #announce(
    state: GuildState,
    thread: ChannelRecord,
    event: 'THREAD_CREATE' | 'THREAD_UPDATE' | 'THREAD_DELETE',
    data: unknown,
    members?: string[],
  ): void {
    const gateway = this.ctx.gateway();
    if (!gateway) return;
    if (thread.type !== ChannelType.PrivateThread) {
      gateway.dispatchToChannel(state.id, thread.parent_id as string, event, data as never);
      return;
    }
    const recipients = new Set(members ?? state.threadMembers.get(thread.id) ?? []);
    for (const userId of state.members.keys()) {
      if (((state.permissionsOf(userId, thread.parent_id as string) ?? 0n) & P.ManageThreads) !== 0n)
        recipients.add(userId);
    }
    if (recipients.size > 0) gateway.dispatchToUsers([...recipients], event, data as never, { guildId: state.id });
  }

  #membersUpdate(
    state: GuildState,
    threadId: string,
    count: number,
    added: ThreadMemberData[],
    removed: string[],
  ): void {
    const gateway = this.ctx.gateway();
    if (!gateway) return;
    const data = {
      id: threadId,
      guild_id: state.id,
      member_count: Math.min(count, 50),
      ...(added.length > 0 ? { added_members: added.map(serializeThreadMember) } : {}),
      ...(removed.length > 0 ? { removed_member_ids: removed } : {}),
    };
    const recipients = [...(state.threadMembers.get(threadId) ?? []), ...removed];
    if (recipients.length > 0)
      gateway.dispatchToUsers(recipients, 'THREAD_MEMBERS_UPDATE', data as never, { guildId: state.id });
  }
}
