import { serializeCurrentUser, serializeMember, serializeUser } from '@concord/gateway-server/serialize';
import type { APIUser } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { CommunityError } from '../errors/CommunityError.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import { USER_PARTITION, type UserRecord } from '../model/records.js';
import { put } from '../store/CommunityRepository.js';
import { checkObject } from '../validation/checkObject.js';
import { checkString } from '../validation/checkString.js';
import { FormErrors } from '../validation/FormErrors.js';
import { InvalidFormBodyError } from '../validation/ValidationError.js';
import { type ImageData, readImageData } from './readImageData.js';
import { storeImage } from './storeImage.js';

/** Largest avatar image Discord accepts (10 MiB). */
export const MAX_AVATAR_BYTES = 10 * 1024 * 1024;

/** What an integrator's `authenticate` knows of a user, for {@link UserService.ensure}. */
export interface UserInput {
  id: string;
  username: string;
  global_name?: string | null;
  avatar?: string | null;
  bot?: boolean;
}

/**
 * Users: created on first sight (`ensure`, called with what authentication resolved), read (`GET /users/{id}`,
 * `GET /users/@me`) and edited by themselves (`PATCH /users/@me`: username 2–32, global name 1–32, avatar hash), which
 * `avatar` is Discord's image data (a data URI), stored at `avatars/<user>/<hash>.<ext>` in the blob store; the change
 * dispatches USER_UPDATE to their sessions and GUILD_MEMBER_UPDATE in each of their guilds.
 */
export class UserService {
  constructor(private readonly ctx: CommunityContext) {}

  /** The stored user, created from `input` when unknown (an existing user is returned as stored). */
  async ensure(input: UserInput): Promise<UserRecord> {
    const known = await this.ctx.users.get(input.id);
    if (known) return known;
    const user: UserRecord = {
      id: input.id,
      username: input.username,
      discriminator: '0',
      global_name: input.global_name ?? null,
      avatar: input.avatar ?? null,
      bot: input.bot ?? false,
    };
    let stored: UserRecord | null = null;
    await this.ctx.repo.update('user', USER_PARTITION, user.id, (current) => {
      stored = current ?? user;
      return current ? undefined : { value: user };
    });
    const result = (stored as UserRecord | null) ?? user;
    this.ctx.users.set(result);
    return result;
  }

  /** The stored user, or null: for callers asking whether a user exists (sign-in, per visit), without an error. */
  find(userId: string): Promise<UserRecord | null> {
    return this.ctx.users.get(userId);
  }

  /**
   * The user when this process holds it already, else undefined (then {@link find} reads the store): an answer
   * without a promise for callers on a hot path, such as dev auth on every gateway Identify (issue #19).
   */
  findCached(userId: string): UserRecord | undefined {
    return this.ctx.users.peek(userId);
  }

  async get(userId: string): Promise<APIUser> {
    const user = await this.ctx.users.get(userId);
    if (!user) throw new UnknownEntityError('user');
    return serializeUser(user);
  }

  async me(userId: string): Promise<ReturnType<typeof serializeCurrentUser>> {
    const user = await this.ctx.users.get(userId);
    if (!user) throw new UnknownEntityError('user');
    return serializeCurrentUser(user);
  }

  async modifyMe(userId: string, body: unknown): Promise<ReturnType<typeof serializeCurrentUser>> {
    const { ctx } = this;
    const user = await ctx.users.get(userId);
    if (!user) throw new UnknownEntityError('user');
    const errors = new FormErrors();
    const source = checkObject(body, errors, []) ?? {};
    const next: UserRecord = { ...user };
    if (source.username !== undefined) {
      const name = checkString(source.username, errors, ['username'], { max: 32, required: true, trim: true });
      if (name !== undefined && [...name].length < 2)
        errors.add(['username'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 2 and 32 in length.');
      else if (name !== undefined) next.username = name;
    }
    if (source.global_name !== undefined)
      next.global_name = checkString(source.global_name, errors, ['global_name'], { max: 32, trim: true }) || null;
    let image: ImageData | undefined;
    if (source.avatar === null) next.avatar = null;
    else if (source.avatar !== undefined) {
      image = readImageData(source.avatar, errors, ['avatar'], MAX_AVATAR_BYTES);
      if (image) next.avatar = image.hash;
    }
    if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
    if (image) {
      if (!ctx.blobs) throw new CommunityError('noBlobStore');
      await storeImage(ctx.blobs, `avatars/${userId}/${image.hash}.${image.extension}`, image);
    }
    if (JSON.stringify(next) === JSON.stringify(user)) return serializeCurrentUser(user);
    await ctx.repo.write([put('user', USER_PARTITION, userId, next)]);
    await ctx.commit([{ type: 'user', user: next }]);
    const gateway = ctx.gateway();
    if (gateway) {
      gateway.dispatchToUsers(userId, 'USER_UPDATE', serializeCurrentUser(next) as never);
      for (const membership of await ctx.repo.allByRef('member', userId)) {
        const state = ctx.guilds.peek(membership.partition);
        const member = state?.members.get(userId);
        if (member)
          gateway.dispatchToGuild(state!.id, 'GUILD_MEMBER_UPDATE', {
            ...serializeMember(member.data),
            guild_id: state!.id,
          } as never);
      }
    }
    return serializeCurrentUser(next);
  }
}
