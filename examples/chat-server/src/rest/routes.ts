// The Discord REST routes the example serves: one table of method, path template, rate-limit bucket and handler, with
// the checks the handlers share. The request pipeline that runs them (limits, auth, bodies, errors) is createRestHandler.ts.
import type { UserData } from '@concord/gateway-server';
import {
  type SerializedMessage,
  serializeApplication,
  serializeChannel,
  serializeCurrentUser,
  serializeCurrentUserGuild,
  serializeGuild,
  serializeMember,
  serializeMemberWithoutUser,
  serializeUser,
} from '@concord/gateway-server/serialize';
import { isSnowflake } from '@concord/snowflake';
import type { StoredMessage } from '@concord/storage-adapters';
import { type MessageExtra, toDiscordMessage } from '../messages.js';
import { LOBBY_ID, lobbyChannels, lobbyGuild, lobbyRoles } from '../seed.js';
import {
  HttpError,
  invalidFormBody,
  missingPermissions,
  notSnowflake,
  unknownChannel,
  unknownGuild,
  unknownMember,
  unknownMessage,
  unknownUser,
} from './HttpError.js';
import type { MessageDraft, RestContext, RouteRateLimits } from './RestContext.js';
import { bucketHash } from './rateLimitHeaders.js';

interface Request {
  method: string;
  /** Path parameters in template order, each a validated snowflake. */
  params: string[];
  query: URLSearchParams;
  body: unknown;
  /** Null only on public routes called without a token. */
  user: UserData;
  host: string;
}

type Handler = (ctx: RestContext, req: Request) => Promise<unknown> | unknown;

interface Route {
  method: string;
  /**
   * Discord's route template. Every `:name` segment is a snowflake; a first `:channel_id` or `:guild_id` is the major
   * parameter, which must exist (and be visible to the user) before the request is counted in its bucket.
   */
  path: string;
  rule: keyof RouteRateLimits;
  handler: Handler;
  /** 204 instead of a JSON body. */
  empty?: boolean;
  /** No token needed (GET /gateway, as on Discord). */
  public?: boolean;
}

interface CompiledRoute extends Route {
  pattern: RegExp;
  params: string[];
  major: 'channel_id' | 'guild_id' | undefined;
  /** X-RateLimit-Bucket: the same for every major parameter, as Discord's. */
  bucket: string;
}

/** A body id given as a string or a non-negative safe integer (see readJsonBody.ts for bigger ones), as a string. */
function idField(value: unknown): string | null {
  if (typeof value === 'string') return value;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : null;
}

function compile(route: Route): CompiledRoute {
  const params: string[] = [];
  const source = route.path.replace(/:([a-z_]+)/g, (_, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  const first = params[0];
  return {
    ...route,
    pattern: new RegExp(`^${source}$`),
    params,
    major:
      route.path.startsWith(`/channels/:${first}`) || route.path.startsWith(`/guilds/:${first}`)
        ? (first as 'channel_id' | 'guild_id')
        : undefined,
    bucket: bucketHash(`${route.method} ${route.path}`),
  };
}

function channelOr404(channelId: string) {
  const channel = lobbyChannels.find((c) => c.id === channelId);
  if (!channel) throw unknownChannel();
  return channel;
}

export function checkView(ctx: RestContext, userId: string, channelId: string) {
  const channel = channelOr404(channelId);
  if (!ctx.community.directory.canView(userId, LOBBY_ID, channelId)) throw unknownChannel();
  return channel;
}

function checkSend(ctx: RestContext, userId: string, channelId: string) {
  const channel = checkView(ctx, userId, channelId);
  if (channel.type !== 0) throw new HttpError(400, 50008, 'Cannot send messages in a non-text channel');
  return channel;
}

export function guildOr404(ctx: RestContext, guildId: string, userId: string) {
  if (guildId !== LOBBY_ID || !ctx.community.directory.canView(userId, LOBBY_ID)) throw unknownGuild();
}

function channelObject(channel: (typeof lobbyChannels)[number]) {
  return serializeChannel(channel, LOBBY_ID);
}

/** `body` as an object, or 50035 DICT_TYPE_CONVERT for `name` (`''` = the body itself). */
function field(body: unknown, name = ''): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidFormBody(name, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
  }
  return body as Record<string, unknown>;
}

/** A snowflake query parameter in canonical form (0 ..= 2^64 - 1, no leading zeros), or undefined when absent. */
function snowflakeParam(query: URLSearchParams, name: string): string | undefined {
  const v = query.get(name);
  if (v === null) return undefined;
  if (!isSnowflake(v)) throw notSnowflake(name, v);
  return v;
}

/** An integer query parameter in [min, max], written in plain decimal digits, or `fallback` when absent. */
function intParam(query: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const v = query.get(name);
  if (v === null) return fallback;
  if (!/^\d{1,10}$/.test(v)) throw invalidFormBody(name, 'NUMBER_TYPE_COERCE', `Value "${v.slice(0, 64)}" is not int.`);
  const n = Number(v);
  if (n < min) throw invalidFormBody(name, 'NUMBER_TYPE_MIN', `int value should be greater than or equal to ${min}.`);
  if (n > max) throw invalidFormBody(name, 'NUMBER_TYPE_MAX', `int value should be less than or equal to ${max}.`);
  return n;
}

const UNSTORABLE = 'Must not contain NUL or unpaired surrogate characters.';

/**
 * Text every storage backend keeps as given: PostgreSQL refuses NUL, and an unpaired surrogate cannot be encoded as
 * UTF-8. Checked here so bad input is a 50035 naming the field rather than a storage error.
 */
function storable(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function validateContent(content: unknown, required: boolean): string | undefined {
  if (content === undefined || content === null) {
    if (required) throw new HttpError(400, 50006, 'Cannot send an empty message');
    return undefined;
  }
  if (typeof content !== 'string') throw invalidFormBody('content', 'BASE_TYPE_BAD_TYPE', 'Must be a string.');
  if (!storable(content)) throw invalidFormBody('content', 'BASE_TYPE_BAD_TYPE', UNSTORABLE);
  if ([...content].length > 2000) {
    throw invalidFormBody('content', 'BASE_TYPE_BAD_LENGTH', 'Must be 2000 or fewer in length.');
  }
  if (required && content.trim() === '') throw new HttpError(400, 50006, 'Cannot send an empty message');
  return content;
}

async function moderate(ctx: RestContext, draft: MessageDraft): Promise<string> {
  if (!ctx.moderate) return draft.content;
  const result = await ctx.moderate(draft);
  if (result && 'reject' in result)
    throw new HttpError(400, 200000, result.reject || 'Message was blocked by moderation');
  if (result && 'content' in result) return validateContent(result.content, true)!;
  return draft.content;
}

function mentionsIn(ctx: RestContext, content: string): UserData[] {
  const out = new Map<string, UserData>();
  for (const m of content.matchAll(/<@!?(\d{1,20})>/g)) {
    const user = ctx.community.user(m[1]!);
    if (user) out.set(user.id, user);
  }
  return [...out.values()];
}

/** A stored message with its referenced message resolved one level deep, as Discord returns it. */
async function shape(ctx: RestContext, m: StoredMessage): Promise<SerializedMessage> {
  const ref = (m.extra as MessageExtra | null)?.message_reference;
  if (!ref) return toDiscordMessage(m);
  const target = await ctx.store.get(ref.channel_id, ref.message_id);
  return toDiscordMessage(m, target && !target.deleted ? toDiscordMessage(target) : null);
}

async function ownMessage(ctx: RestContext, req: Request): Promise<StoredMessage> {
  const [channelId, messageId] = req.params as [string, string];
  checkView(ctx, req.user.id, channelId);
  const m = await ctx.store.get(channelId, messageId);
  if (!m || m.deleted) throw unknownMessage();
  return m;
}

/** Every user doubles as its own application (discord.js reads it at login). */
const application: Handler = (_ctx, req) =>
  serializeApplication({ id: req.user.id, name: req.user.username, owner: req.user, bot: req.user });

const routeTable: Route[] = [
  {
    method: 'GET',
    path: '/gateway',
    rule: 'read',
    public: true,
    handler: (_ctx, req) => ({ url: `ws://${req.host}/` }),
  },
  {
    method: 'GET',
    path: '/gateway/bot',
    rule: 'read',
    handler: (ctx, req) => ({
      url: `ws://${req.host}/`,
      shards: 1,
      session_start_limit: ctx.gateway.getSessionStartLimit(req.user.id),
    }),
  },
  {
    method: 'GET',
    path: '/users/@me',
    rule: 'read',
    handler: (_ctx, req) => serializeCurrentUser(req.user),
  },
  {
    method: 'GET',
    path: '/users/:user_id',
    rule: 'read',
    handler: (ctx, req) => {
      const user = ctx.community.user(req.params[0]!);
      if (!user) throw unknownUser();
      return serializeUser(user);
    },
  },
  { method: 'GET', path: '/applications/@me', rule: 'read', handler: application },
  { method: 'GET', path: '/oauth2/applications/@me', rule: 'read', handler: application },
  {
    method: 'GET',
    path: '/users/@me/guilds',
    rule: 'read',
    handler: (_ctx, req) => [
      serializeCurrentUserGuild(lobbyGuild, { userId: req.user.id, permissions: lobbyRoles[0]!.permissions }),
    ],
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id',
    rule: 'read',
    handler: (ctx, req) => {
      guildOr404(ctx, req.params[0]!, req.user.id);
      const guild = serializeGuild(lobbyGuild);
      // The count, not a snapshot of the guild (which copies every member and presence).
      if (req.query.get('with_counts') !== 'true') return guild;
      return { ...guild, approximate_member_count: ctx.community.memberCount, approximate_presence_count: 0 };
    },
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id/channels',
    rule: 'read',
    handler: (ctx, req) => {
      guildOr404(ctx, req.params[0]!, req.user.id);
      return lobbyChannels
        .filter((c) => ctx.community.directory.canView(req.user.id, LOBBY_ID, c.id))
        .map(channelObject);
    },
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id/members',
    rule: 'read',
    handler: (ctx, req) => {
      guildOr404(ctx, req.params[0]!, req.user.id);
      const limit = intParam(req.query, 'limit', 1, 1000, 1);
      const after = snowflakeParam(req.query, 'after') ?? '0';
      // An id-ordered index: a binary search for `after`, then `limit` members (src/Community.ts).
      return ctx.community.membersAfter(after, limit).map(serializeMember);
    },
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id/members/:user_id',
    rule: 'read',
    handler: (ctx, req) => {
      guildOr404(ctx, req.params[0]!, req.user.id);
      const [member] = ctx.community.directory.members(LOBBY_ID, { limit: 1, userIds: [req.params[1]!] });
      if (!member) throw unknownMember();
      return serializeMember(member);
    },
  },
  {
    method: 'GET',
    path: '/channels/:channel_id',
    rule: 'read',
    handler: (ctx, req) => channelObject(checkView(ctx, req.user.id, req.params[0]!)),
  },
  {
    method: 'GET',
    path: '/channels/:channel_id/messages',
    rule: 'read',
    handler: async (ctx, req) => {
      const channelId = req.params[0]!;
      checkView(ctx, req.user.id, channelId);
      const limit = intParam(req.query, 'limit', 1, 100, 50);
      const cursors = ['before', 'after', 'around'].filter((k) => req.query.has(k));
      // Discord uses the first cursor it understands; we refuse ambiguity instead of guessing.
      if (cursors.length > 1)
        throw invalidFormBody(cursors[1]!, 'BASE_TYPE_BAD_TYPE', 'Only one of before, after, around.');
      const query: { limit: number; before?: string; after?: string; around?: string } = { limit };
      for (const k of ['before', 'after', 'around'] as const) {
        const v = snowflakeParam(req.query, k);
        if (v !== undefined) query[k] = v;
      }
      const rows = await ctx.store.list(channelId, query);
      return Promise.all(rows.map((m) => shape(ctx, m)));
    },
  },
  {
    method: 'GET',
    path: '/channels/:channel_id/messages/:message_id',
    rule: 'read',
    handler: async (ctx, req) => shape(ctx, await ownMessage(ctx, req)),
  },
  {
    method: 'POST',
    path: '/channels/:channel_id/messages',
    rule: 'createMessage',
    handler: async (ctx, req) => {
      const channelId = req.params[0]!;
      checkSend(ctx, req.user.id, channelId);
      const body = field(req.body);
      let content = validateContent(body.content, true)!;
      const nonce = body.nonce;
      if (nonce !== undefined && nonce !== null) {
        if (!(typeof nonce === 'string' && nonce.length <= 25) && !Number.isSafeInteger(nonce)) {
          throw invalidFormBody('nonce', 'BASE_TYPE_BAD_LENGTH', 'Must be 25 or fewer in length.');
        }
        if (typeof nonce === 'string' && !storable(nonce))
          throw invalidFormBody('nonce', 'BASE_TYPE_BAD_TYPE', UNSTORABLE);
      }
      let reference: MessageExtra['message_reference'];
      let referencedAuthor: UserData | undefined;
      if (body.message_reference !== undefined && body.message_reference !== null) {
        const ref = field(body.message_reference, 'message_reference');
        // Strings or integers, as Discord takes them (discord.py sends numbers; big ones arrive as exact strings).
        const messageId = idField(ref.message_id) ?? '';
        if (!isSnowflake(messageId)) {
          throw invalidFormBody('message_reference.message_id', 'NUMBER_TYPE_COERCE', 'Value is not snowflake.');
        }
        const refChannel = idField(ref.channel_id) ?? channelId;
        const target = refChannel === channelId ? await ctx.store.get(channelId, messageId) : null;
        if (!target || target.deleted) {
          if (ref.fail_if_not_exists !== false) {
            throw invalidFormBody('message_reference', 'REPLIES_UNKNOWN_MESSAGE', 'Unknown message');
          }
        } else {
          reference = { type: 0, message_id: messageId, channel_id: channelId, guild_id: LOBBY_ID };
          referencedAuthor = (target.extra as MessageExtra | null)?.author;
        }
      }
      content = await moderate(ctx, { content, author: req.user, channelId, guildId: LOBBY_ID });
      const mentions = mentionsIn(ctx, content);
      if (referencedAuthor && !mentions.some((u) => u.id === referencedAuthor.id)) mentions.push(referencedAuthor);
      const extra: MessageExtra = { author: req.user, mentions };
      if (nonce !== undefined && nonce !== null) extra.nonce = nonce as string | number;
      if (reference) extra.message_reference = reference;
      const stored = await ctx.store.create({
        id: ctx.ids.nextString(),
        channelId,
        guildId: LOBBY_ID,
        authorId: req.user.id,
        content,
        type: reference ? 19 : 0,
        flags: 0,
        extra: extra as Record<string, unknown>,
      });
      const message = await shape(ctx, stored);
      const [member] = ctx.community.directory.members(LOBBY_ID, { limit: 1, userIds: [req.user.id] });
      // Serialized once for every recipient: the gateway fans this one object out.
      ctx.gateway.dispatchToChannel(
        LOBBY_ID,
        channelId,
        'MESSAGE_CREATE',
        member ? { ...message, member: serializeMemberWithoutUser(member) } : message,
      );
      return message;
    },
  },
  {
    method: 'PATCH',
    path: '/channels/:channel_id/messages/:message_id',
    rule: 'editMessage',
    handler: async (ctx, req) => {
      const m = await ownMessage(ctx, req);
      if (m.authorId !== req.user.id) throw new HttpError(403, 50005, 'Cannot edit a message authored by another user');
      const body = field(req.body);
      let content = validateContent(body.content, false);
      if (content === undefined) return shape(ctx, m);
      if (content.trim() === '') throw new HttpError(400, 50006, 'Cannot send an empty message');
      content = await moderate(ctx, {
        content,
        author: req.user,
        channelId: m.channelId,
        guildId: LOBBY_ID,
        messageId: m.id,
      });
      const extra = { ...(m.extra ?? {}), mentions: mentionsIn(ctx, content) };
      const edited = await ctx.store.edit(m.channelId, m.id, { content, extra });
      const message = await shape(ctx, edited);
      const [member] = ctx.community.directory.members(LOBBY_ID, { limit: 1, userIds: [m.authorId] });
      ctx.gateway.dispatchToChannel(
        LOBBY_ID,
        m.channelId,
        'MESSAGE_UPDATE',
        member ? { ...message, member: serializeMemberWithoutUser(member) } : message,
      );
      return message;
    },
  },
  {
    method: 'DELETE',
    path: '/channels/:channel_id/messages/:message_id',
    rule: 'editMessage',
    empty: true,
    handler: async (ctx, req) => {
      const m = await ownMessage(ctx, req);
      // Deleting others' messages needs MANAGE_MESSAGES, which no dev user has.
      if (m.authorId !== req.user.id) throw missingPermissions();
      await ctx.store.delete(m.channelId, m.id);
      ctx.gateway.dispatchToChannel(LOBBY_ID, m.channelId, 'MESSAGE_DELETE', {
        id: m.id,
        channel_id: m.channelId,
        guild_id: LOBBY_ID,
      });
    },
  },
  {
    method: 'POST',
    path: '/channels/:channel_id/typing',
    rule: 'typing',
    empty: true,
    handler: (ctx, req) => {
      const channelId = req.params[0]!;
      checkSend(ctx, req.user.id, channelId);
      const [member] = ctx.community.directory.members(LOBBY_ID, { limit: 1, userIds: [req.user.id] });
      ctx.gateway.dispatchToChannel(LOBBY_ID, channelId, 'TYPING_START', {
        channel_id: channelId,
        guild_id: LOBBY_ID,
        user_id: req.user.id,
        timestamp: Math.floor(Date.now() / 1000),
        ...(member ? { member: serializeMember(member) } : {}),
      });
    },
  },
];

const routes = routeTable.map(compile);

/** The route for a path and method: 404 when no template matches, 405 when only other methods do. */
export function findRoute(path: string, method: string | undefined): { route: CompiledRoute; values: string[] } {
  let pathMatched = false;
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (route.method === method) return { route, values: m.slice(1) };
  }
  throw pathMatched ? new HttpError(405, 0, '405: Method Not Allowed') : new HttpError(404, 0, '404: Not Found');
}
