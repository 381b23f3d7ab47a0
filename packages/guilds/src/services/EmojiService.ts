import { serializeUser } from '@concord/gateway-server/serialize';
import type { APIEmoji } from 'discord-api-types/v10';
import { AuditLogEvent, PermissionFlagsBits as P } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { CommunityError } from '../errors/CommunityError.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import type { EmojiRecord } from '../model/records.js';
import { MissingPermissionsError } from '../permissions/PermissionError.js';
import type { GuildState } from '../state/GuildState.js';
import { put, remove } from '../store/CommunityRepository.js';
import { checkArray } from '../validation/checkArray.js';
import { checkObject } from '../validation/checkObject.js';
import { checkSnowflake } from '../validation/checkSnowflake.js';
import { FormErrors } from '../validation/FormErrors.js';
import { InvalidFormBodyError } from '../validation/ValidationError.js';
import { requireGuildPermissions, requireMember } from './access.js';
import { diffChanges } from './diffChanges.js';
import { readImageData } from './readImageData.js';
import { storeImage } from './storeImage.js';

/** Largest emoji image Discord accepts (256 KiB). */
export const MAX_EMOJI_BYTES = 256 * 1024;
/** Emoji slots of a guild without boosts: 50 static and 50 animated. */
export const MAX_EMOJIS_PER_KIND = 50;

/**
 * Custom emoji: list and read (members), create (CREATE_GUILD_EXPRESSIONS; the image is stored in the blob store under
 * `emojis/<id>.<ext>`, the path Discord's CDN serves it at), modify and delete (MANAGE_GUILD_EXPRESSIONS, or
 * CREATE_GUILD_EXPRESSIONS for one's own). Every change dispatches GUILD_EMOJIS_UPDATE with the guild's whole list.
 */
export class EmojiService {
  constructor(private readonly ctx: CommunityContext) {}

  async list(actorId: string, guildId: string): Promise<APIEmoji[]> {
    const state = await this.ctx.guilds.require(guildId);
    requireMember(state, actorId);
    return this.#all(state);
  }

  async get(actorId: string, guildId: string, emojiId: string): Promise<APIEmoji> {
    const state = await this.ctx.guilds.require(guildId);
    requireMember(state, actorId);
    const emoji = state.emojis.get(emojiId);
    if (!emoji) throw new UnknownEntityError('emoji');
    return this.#wire(emoji);
  }

  async create(actorId: string, guildId: string, body: unknown, reason?: string): Promise<APIEmoji> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    requireGuildPermissions(state, actorId, P.CreateGuildExpressions);
    const errors = new FormErrors();
    const source = checkObject(body, errors, []) ?? {};
    const name = readName(source.name, errors, true);
    const image = readImageData(source.image, errors, ['image'], MAX_EMOJI_BYTES);
    const roles = this.#roles(state, source.roles, errors);
    if (!errors.isEmpty || !image || name === undefined) throw new InvalidFormBodyError(errors.toJSON());
    const sameKind = [...state.emojis.values()].filter((e) => e.animated === image.animated).length;
    if (sameKind >= MAX_EMOJIS_PER_KIND) throw new CommunityError('maxEmojis');
    const blobs = ctx.blobs;
    if (!blobs) throw new CommunityError('noBlobStore');
    const id = ctx.nextId();
    const key = `emojis/${id}.${image.extension}`;
    const emoji: EmojiRecord = {
      id,
      name,
      roles: roles ?? [],
      user_id: actorId,
      require_colons: true,
      managed: false,
      animated: image.animated,
      available: true,
      image_key: key,
    };
    await storeImage(blobs, key, image);
    await ctx.repo.write([put('emoji', guildId, emoji.id, emoji)]);
    await ctx.commit([{ type: 'emoji', guildId, emoji }]);
    await this.#changed(state);
    await ctx.audit.record({
      guildId,
      userId: actorId,
      targetId: emoji.id,
      actionType: AuditLogEvent.EmojiCreate,
      changes: diffChanges({}, { name }),
      reason,
    });
    return this.#wire(emoji);
  }

  async modify(actorId: string, guildId: string, emojiId: string, body: unknown, reason?: string): Promise<APIEmoji> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    const old = this.#editable(state, actorId, emojiId);
    const errors = new FormErrors();
    const source = checkObject(body, errors, []) ?? {};
    const next: EmojiRecord = { ...old };
    if (source.name !== undefined) next.name = readName(source.name, errors, true) ?? old.name;
    if (source.roles !== undefined) next.roles = this.#roles(state, source.roles, errors) ?? [];
    if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
    const changes = diffChanges(old, next);
    if (changes.length === 0) return this.#wire(old);
    await ctx.repo.write([put('emoji', guildId, emojiId, next)]);
    await ctx.commit([{ type: 'emoji', guildId, emoji: next }]);
    await this.#changed(state);
    await ctx.audit.record({
      guildId,
      userId: actorId,
      targetId: emojiId,
      actionType: AuditLogEvent.EmojiUpdate,
      changes,
      reason,
    });
    return this.#wire(next);
  }

  async delete(actorId: string, guildId: string, emojiId: string, reason?: string): Promise<void> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    const emoji = this.#editable(state, actorId, emojiId);
    await ctx.repo.write([remove('emoji', guildId, emojiId)]);
    await ctx.commit([{ type: 'emojiDelete', guildId, emojiId }]);
    if (emoji.image_key) await ctx.blobs?.delete(emoji.image_key).catch(() => false);
    await this.#changed(state);
    await ctx.audit.record({
      guildId,
      userId: actorId,
      targetId: emojiId,
      actionType: AuditLogEvent.EmojiDelete,
      changes: diffChanges({ name: emoji.name }, {}),
      reason,
    });
  }

  /** MANAGE_GUILD_EXPRESSIONS, or CREATE_GUILD_EXPRESSIONS for an emoji the actor created. */
  #editable(state: GuildState, actorId: string, emojiId: string): EmojiRecord {
    requireMember(state, actorId);
    const emoji = state.emojis.get(emojiId);
    if (!emoji) throw new UnknownEntityError('emoji');
    const granted = state.permissionsOf(actorId) ?? 0n;
    const own = emoji.user_id === actorId && (granted & P.CreateGuildExpressions) !== 0n;
    if (!own && (granted & P.ManageGuildExpressions) === 0n)
      throw new MissingPermissionsError(P.ManageGuildExpressions);
    return emoji;
  }

  #roles(state: GuildState, value: unknown, errors: FormErrors): string[] | undefined {
    const items = checkArray(value, errors, ['roles'], 250);
    if (items === undefined) return undefined;
    const out: string[] = [];
    items.forEach((item, i) => {
      const id = checkSnowflake(item, errors, ['roles', i]);
      if (id !== undefined && !state.roles.has(id)) errors.add(['roles', i], 'ROLE_NOT_FOUND', 'Unknown role.');
      else if (id !== undefined && !out.includes(id)) out.push(id);
    });
    return out;
  }

  async #all(state: GuildState): Promise<APIEmoji[]> {
    return Promise.all([...state.emojis.values()].map((e) => this.#wire(e)));
  }

  async #wire(emoji: EmojiRecord): Promise<APIEmoji> {
    const user = emoji.user_id ? await this.ctx.users.get(emoji.user_id) : null;
    return {
      id: emoji.id,
      name: emoji.name,
      roles: emoji.roles,
      ...(user ? { user: serializeUser(user) } : {}),
      require_colons: emoji.require_colons,
      managed: emoji.managed,
      animated: emoji.animated,
      available: emoji.available,
    };
  }

  async #changed(state: GuildState): Promise<void> {
    this.ctx
      .gateway()
      ?.dispatchToGuild(state.id, 'GUILD_EMOJIS_UPDATE', { guild_id: state.id, emojis: await this.#all(state) });
  }
}

/** An emoji name: 2–32 characters of letters, digits and underscores. */
function readName(value: unknown, errors: FormErrors, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || !/^[\w]{2,32}$/.test(value)) {
    errors.add(
      ['name'],
      'BASE_TYPE_BAD_LENGTH',
      'Must be between 2 and 32 in length and contain only letters, digits and underscores.',
    );
    return undefined;
  }
  return value;
}
