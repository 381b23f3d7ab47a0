import { serializeUser } from '@concord/gateway-server/serialize';
import type { APIChannel, APIUser } from 'discord-api-types/v10';
import { ChannelType } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { CommunityError } from '../errors/CommunityError.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import { type ChannelRecord, DM_PARTITION } from '../model/records.js';
import { MissingAccessError } from '../permissions/PermissionError.js';
import { put } from '../store/CommunityRepository.js';
import { checkArray } from '../validation/checkArray.js';
import { checkObject } from '../validation/checkObject.js';
import { checkSnowflake } from '../validation/checkSnowflake.js';
import { FormErrors } from '../validation/FormErrors.js';
import { InvalidFormBodyError } from '../validation/ValidationError.js';

/** Most recipients of a group DM, its creator included (Discord's limit). */
export const MAX_GROUP_DM_RECIPIENTS = 10;

/**
 * DMs and group DMs: `POST /users/@me/channels` opens the DM with `recipient_id` (the same channel every time, as on
 * Discord) or a group DM with `recipients`; `GET /users/@me/channels` lists them. A DM channel is stored once under
 * {@link DM_PARTITION}; each recipient has a `dm-link` to it, and a 1:1 DM's links share the ref `pair:<a>:<b>` so the
 * pair finds its channel again. Sending in one goes through `MessageService` like any channel.
 */
export class DmService {
  constructor(private readonly ctx: CommunityContext) {}

  async open(actorId: string, body: unknown): Promise<APIChannel> {
    const { ctx } = this;
    const errors = new FormErrors();
    const source = checkObject(body, errors, []);
    if (source?.recipients !== undefined) {
      const ids = (checkArray(source.recipients, errors, ['recipients'], MAX_GROUP_DM_RECIPIENTS - 1) ?? []).map(
        (v, i) => checkSnowflake(v, errors, ['recipients', i]),
      );
      if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
      return this.#group(actorId, [...new Set(ids.filter((id): id is string => id !== undefined && id !== actorId))]);
    }
    const recipient = checkSnowflake(source?.recipient_id, errors, ['recipient_id']);
    if (!errors.isEmpty || recipient === undefined) throw new InvalidFormBodyError(errors.toJSON());
    if (recipient === actorId) throw new CommunityError('invalidRecipient');
    const other = await ctx.users.get(recipient);
    if (!other) throw new UnknownEntityError('user');
    const pair = pairRef(actorId, recipient);
    const existing = await ctx.repo.store.listByRef('dm-link', pair, { limit: 2 });
    const channelId = (existing[0]?.value as { channel_id?: string } | undefined)?.channel_id;
    if (channelId) {
      const channel = await ctx.repo.get('channel', DM_PARTITION, channelId);
      if (channel) return this.wire(channel, actorId);
    }
    const channel: ChannelRecord = {
      id: ctx.nextId(),
      type: ChannelType.DM,
      recipient_ids: [actorId, recipient],
      last_message_id: null,
      flags: 0,
    };
    await ctx.repo.write([
      put('channel', DM_PARTITION, channel.id, channel),
      put('dm-link', actorId, channel.id, { channel_id: channel.id }, pair),
      put('dm-link', recipient, channel.id, { channel_id: channel.id }, pair),
    ]);
    const wire = await this.wire(channel, actorId);
    // Discord sends the DM's CHANNEL_CREATE to the opener; the other side gets it with the first message.
    ctx.gateway()?.dispatchToUsers(actorId, 'CHANNEL_CREATE', wire as never);
    return wire;
  }

  /** `GET /channels/{id}` for a DM: recipients only (50001 for anyone else, 10003 when there is no such DM). */
  async get(actorId: string, channelId: string): Promise<APIChannel> {
    const channel = await this.ctx.repo.get('channel', DM_PARTITION, channelId);
    if (!channel) throw new UnknownEntityError('channel');
    if (!(channel.recipient_ids ?? []).includes(actorId)) throw new MissingAccessError();
    return this.wire(channel, actorId);
  }

  /** `GET /users/@me/channels`. */
  async list(actorId: string): Promise<APIChannel[]> {
    const links = await this.ctx.repo.list('dm-link', actorId, { limit: 1000 });
    const out: APIChannel[] = [];
    for (const link of links) {
      const channel = await this.ctx.repo.get('channel', DM_PARTITION, link.id);
      if (channel) out.push(await this.wire(channel, actorId));
    }
    return out;
  }

  /** A DM channel as `viewerId` sees it: the other recipients (Discord leaves the viewer out). */
  async wire(channel: ChannelRecord, viewerId: string): Promise<APIChannel> {
    const ids = (channel.recipient_ids ?? []).filter((id) => id !== viewerId);
    const users = await this.ctx.users.getMany(ids);
    const recipients: APIUser[] = ids.map((id) => serializeUser(users.get(id) ?? { id, username: 'Deleted User' }));
    const out: Record<string, unknown> = {
      id: channel.id,
      type: channel.type,
      last_message_id: channel.last_message_id ?? null,
      flags: channel.flags ?? 0,
      recipients,
    };
    if (channel.type === ChannelType.GroupDM)
      Object.assign(out, { name: channel.name ?? null, icon: null, owner_id: channel.owner_id ?? null });
    return out as unknown as APIChannel;
  }

  async #group(actorId: string, recipients: string[]): Promise<APIChannel> {
    const { ctx } = this;
    if (recipients.length === 0) throw new CommunityError('invalidRecipient');
    const known = await ctx.users.getMany(recipients);
    if (known.size !== recipients.length) throw new UnknownEntityError('user');
    if (!(await ctx.users.get(actorId))) throw new MissingAccessError();
    const channel: ChannelRecord = {
      id: ctx.nextId(),
      type: ChannelType.GroupDM,
      recipient_ids: [actorId, ...recipients],
      owner_id: actorId,
      last_message_id: null,
      flags: 0,
    };
    await ctx.repo.write([
      put('channel', DM_PARTITION, channel.id, channel),
      ...channel.recipient_ids!.map((id) => put('dm-link', id, channel.id, { channel_id: channel.id })),
    ]);
    for (const id of channel.recipient_ids!)
      ctx.gateway()?.dispatchToUsers(id, 'CHANNEL_CREATE', (await this.wire(channel, id)) as never);
    return this.wire(channel, actorId);
  }
}

function pairRef(a: string, b: string): string {
  return BigInt(a) < BigInt(b) ? `pair:${a}:${b}` : `pair:${b}:${a}`;
}
