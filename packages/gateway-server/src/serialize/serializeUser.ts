import type { APIUser, UserFlags } from 'discord-api-types/v10';
import type { UserData } from '../types.js';
import { afterExtras, bool, extras, num, str, strOrNull } from './fields.js';

const PUBLIC_FIELDS = new Set([
  'id',
  'username',
  'discriminator',
  'global_name',
  'avatar',
  'bot',
  'system',
  'banner',
  'accent_color',
  'public_flags',
  'avatar_decoration_data',
  'collectibles',
  'primary_guild',
  'flags',
  // Private to the user themself: never in the public object (see serializeCurrentUser).
  'mfa_enabled',
  'verified',
  'email',
  'locale',
  'premium_type',
]);

/**
 * Discord's public user object (message authors, members, mentions, `GET /users/:id`). discord-api-types marks `bot`,
 * `banner`, `accent_color`, `public_flags`, `flags`, `avatar_decoration_data`, `collectibles` and `primary_guild`
 * optional; Discord sends them for every user (its OpenAPI description requires `public_flags`, `flags` and
 * `primary_guild`), so they are always sent.
 */
export function serializeUser(user: UserData): APIUser {
  const publicFlags = num(user.public_flags, 0);
  return afterExtras(extras(user, PUBLIC_FIELDS), {
    id: user.id,
    username: user.username,
    discriminator: str(user.discriminator, '0'),
    global_name: user.global_name === undefined ? null : user.global_name,
    avatar: user.avatar === undefined ? null : user.avatar,
    bot: bool(user.bot, false),
    system: bool(user.system, false),
    banner: strOrNull(user.banner),
    accent_color: typeof user.accent_color === 'number' ? user.accent_color : null,
    public_flags: publicFlags,
    // The public subset of `flags` is `public_flags`; without the private bits, both are the same.
    flags: num(user.flags, publicFlags),
    avatar_decoration_data: (user.avatar_decoration_data as APIUser['avatar_decoration_data']) ?? null,
    collectibles: (user.collectibles as APIUser['collectibles']) ?? null,
    primary_guild: (user.primary_guild as APIUser['primary_guild']) ?? null,
  });
}

/** The current user (READY `user`, `GET /users/@me`): the public object plus the account fields only its owner sees. */
type OwnFields = 'mfa_enabled' | 'verified' | 'flags' | 'public_flags' | 'locale' | 'premium_type' | 'email';
export type CurrentUser = APIUser & Required<Pick<APIUser, OwnFields>>;

/**
 * READY's `user` and `GET /users/@me`. discord-api-types marks `mfa_enabled`, `verified`, `flags`, `locale`,
 * `premium_type` and `email` optional; Discord always sends them to the user themself (email null for bots), and
 * discord.py reads `mfa_enabled` unconditionally from READY. One literal: the public fields as {@link serializeUser}
 * writes them (same order, same defaults: __tests__/serializeCurrentUser.test.ts holds the two together), then the
 * account fields. It was the public object with the account fields assigned onto it, which made every Identify add
 * seven properties one by one (a slow define per field) before encoding the user (issue #19, Identify).
 */
export function serializeCurrentUser(user: UserData): CurrentUser {
  const publicFlags = num(user.public_flags, 0);
  const out: CurrentUser = {
    id: user.id,
    username: user.username,
    discriminator: str(user.discriminator, '0'),
    global_name: user.global_name === undefined ? null : user.global_name,
    avatar: user.avatar === undefined ? null : user.avatar,
    bot: bool(user.bot, false),
    system: bool(user.system, false),
    banner: strOrNull(user.banner),
    accent_color: typeof user.accent_color === 'number' ? user.accent_color : null,
    public_flags: publicFlags as UserFlags,
    flags: num(user.flags, publicFlags) as UserFlags,
    avatar_decoration_data: (user.avatar_decoration_data as APIUser['avatar_decoration_data']) ?? null,
    collectibles: (user.collectibles as APIUser['collectibles']) ?? null,
    primary_guild: (user.primary_guild as APIUser['primary_guild']) ?? null,
    mfa_enabled: bool(user.mfa_enabled, false),
    verified: bool(user.verified, true),
    locale: str(user.locale, 'en-US'),
    premium_type: num(user.premium_type, 0),
    email: strOrNull(user.email),
  };
  return afterExtras(extras(user, PUBLIC_FIELDS), out);
}
