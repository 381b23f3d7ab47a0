import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayServer, UserData } from '@concord/gateway-server';
import type { SnowflakeGenerator } from '@concord/snowflake';
import type { MessageStore, StoredMessage } from '@concord/storage-adapters';
import type { Community } from '../Community.js';
import { type MessageExtra, publicUser, toDiscordMessage } from '../messages.js';
import { LOBBY_ID, lobbyChannels, lobbyRoles, SYSTEM_USER_ID } from '../seed.js';
import {
  HttpError,
  invalidFormBody,
  missingPermissions,
  unauthorized,
  unknownChannel,
  unknownGuild,
  unknownMember,
  unknownMessage,
  unknownUser,
} from './HttpError.js';
import type { RateLimiter, RateLimitRule } from './RateLimiter.js';

/** What a moderation hook sees before a message is stored (create) or changed (edit). */
export interface MessageDraft {
  content: string;
  author: UserData;
  channelId: string;
  guildId: string;
  /** Set on edits. */
  messageId?: string;
}

/** `{reject}` refuses the message (400, code 200000 as Discord's AutoMod); `{content}` rewrites it; nothing keeps it. */
export type ModerationResult = { reject: string } | { content: string } | undefined;
export type ModerationHook = (draft: MessageDraft) => ModerationResult | Promise<ModerationResult>;

export interface RestContext {
  community: Community;
  gateway: GatewayServer;
  store: MessageStore;
  ids: SnowflakeGenerator;
  limiter: RateLimiter;
  /** Token (without `Bot `) → user, or null (401). `bot` tells whether the header had the `Bot ` prefix. */
  authenticate(token: string, bot: boolean): Promise<UserData | null>;
  moderate?: ModerationHook;
  rateLimits: RateLimits;
}

export interface RateLimits {
  createMessage: RateLimitRule;
  editMessage: RateLimitRule;
  typing: RateLimitRule;
  read: RateLimitRule;
}

export const defaultRateLimits: RateLimits = {
  // Discord's published per-channel send limit.
  createMessage: { limit: 5, windowMs: 5000 },
  editMessage: { limit: 10, windowMs: 10_000 },
  typing: { limit: 5, windowMs: 5000 },
  read: { limit: 50, windowMs: 1000 },
};

interface Request {
  method: string;
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
  pattern: RegExp;
  /** Bucket name (rate limits and X-RateLimit-Bucket); `:major` = the first path parameter, as Discord does. */
  bucket: string;
  rule: keyof RateLimits;
  handler: Handler;
  /** 204 instead of a JSON body. */
  empty?: boolean;
  /** No token needed (GET /gateway, as on Discord). */
  public?: boolean;
}

const ID = '(\\d{1,20})';
const MAX_BODY = 64 * 1024;

function channelOr404(channelId: string) {
  const channel = lobbyChannels.find((c) => c.id === channelId);
  if (!channel) throw unknownChannel();
  return channel;
}

function checkView(ctx: RestContext, userId: string, channelId: string) {
  const channel = channelOr404(channelId);
  if (!ctx.community.directory.canView(userId, LOBBY_ID, channelId)) throw unknownChannel();
  return channel;
}

function checkSend(ctx: RestContext, userId: string, channelId: string) {
  const channel = checkView(ctx, userId, channelId);
  if (channel.type !== 0) throw new HttpError(400, 50008, 'Cannot send messages in a non-text channel');
  return channel;
}

function guildOr404(ctx: RestContext, guildId: string, userId: string) {
  if (guildId !== LOBBY_ID || !ctx.community.directory.canView(userId, LOBBY_ID)) throw unknownGuild();
}

function channelObject(channel: (typeof lobbyChannels)[number]) {
  return { ...channel, guild_id: LOBBY_ID };
}

function field(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidFormBody('_', 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
  }
  return body as Record<string, unknown>;
}

function snowflakeParam(query: URLSearchParams, name: string): string | undefined {
  const v = query.get(name);
  if (v === null) return undefined;
  if (!/^\d{1,20}$/.test(v)) throw invalidFormBody(name, 'NUMBER_TYPE_COERCE', `Value "${v}" is not snowflake.`);
  return v;
}

function validateContent(content: unknown, required: boolean): string | undefined {
  if (content === undefined || content === null) {
    if (required) throw new HttpError(400, 50006, 'Cannot send an empty message');
    return undefined;
  }
  if (typeof content !== 'string') throw invalidFormBody('content', 'BASE_TYPE_BAD_TYPE', 'Must be a string.');
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
async function shape(ctx: RestContext, m: StoredMessage): Promise<Record<string, unknown>> {
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

const routes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/gateway$/,
    bucket: 'gateway',
    rule: 'read',
    public: true,
    handler: (_ctx, req) => ({ url: `ws://${req.host}/` }),
  },
  {
    method: 'GET',
    pattern: /^\/gateway\/bot$/,
    bucket: 'gateway-bot',
    rule: 'read',
    handler: (ctx, req) => ({
      url: `ws://${req.host}/`,
      shards: 1,
      session_start_limit: ctx.gateway.getSessionStartLimit(req.user.id),
    }),
  },
  {
    method: 'GET',
    pattern: /^\/users\/@me$/,
    bucket: 'users-me',
    rule: 'read',
    handler: (_ctx, req) => ({
      ...publicUser(req.user),
      flags: 0,
      mfa_enabled: false,
      verified: true,
      locale: 'en-US',
    }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/users/${ID}$`),
    bucket: 'users',
    rule: 'read',
    handler: (ctx, req) => {
      const user = ctx.community.user(req.params[0]!);
      if (!user) throw unknownUser();
      return publicUser(user);
    },
  },
  {
    method: 'GET',
    pattern: /^\/(?:oauth2\/)?applications\/@me$/,
    bucket: 'applications-me',
    rule: 'read',
    handler: (_ctx, req) => ({
      id: req.user.id,
      name: req.user.username,
      icon: null,
      description: '',
      bot_public: false,
      bot_require_code_grant: false,
      flags: 0,
      bot: publicUser(req.user),
      owner: publicUser(req.user),
      verify_key: '',
      team: null,
    }),
  },
  {
    method: 'GET',
    pattern: /^\/users\/@me\/guilds$/,
    bucket: 'users-me-guilds',
    rule: 'read',
    handler: () => [
      { id: LOBBY_ID, name: 'Lobby', icon: null, owner: false, permissions: lobbyRoles[0]!.permissions, features: [] },
    ],
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/guilds/${ID}$`),
    bucket: 'guilds:major',
    rule: 'read',
    handler: (ctx, req) => {
      guildOr404(ctx, req.params[0]!, req.user.id);
      return {
        id: LOBBY_ID,
        name: 'Lobby',
        icon: null,
        splash: null,
        discovery_splash: null,
        owner_id: SYSTEM_USER_ID,
        afk_channel_id: null,
        afk_timeout: 300,
        verification_level: 0,
        default_message_notifications: 0,
        explicit_content_filter: 0,
        roles: lobbyRoles,
        emojis: [],
        stickers: [],
        features: [],
        mfa_level: 0,
        system_channel_id: null,
        system_channel_flags: 0,
        rules_channel_id: null,
        vanity_url_code: null,
        description: null,
        banner: null,
        premium_tier: 0,
        preferred_locale: 'en-US',
        public_updates_channel_id: null,
        nsfw_level: 0,
        premium_progress_bar_enabled: false,
        approximate_member_count:
          req.query.get('with_counts') === 'true' ? ctx.community.directory.guild(LOBBY_ID)?.member_count : undefined,
      };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/guilds/${ID}/channels$`),
    bucket: 'guild-channels:major',
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
    pattern: new RegExp(`^/guilds/${ID}/members$`),
    bucket: 'guild-members:major',
    rule: 'read',
    handler: (ctx, req) => {
      guildOr404(ctx, req.params[0]!, req.user.id);
      const limitRaw = req.query.get('limit') ?? '1';
      const limit = Number(limitRaw);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        throw invalidFormBody('limit', 'NUMBER_TYPE_MAX', 'int value should be between 1 and 1000.');
      }
      const after = BigInt(snowflakeParam(req.query, 'after') ?? '0');
      return ctx.community.directory
        .members(LOBBY_ID, { query: '', limit: 0 })
        .filter((m) => BigInt(m.user.id) > after)
        .sort((a, b) => (BigInt(a.user.id) < BigInt(b.user.id) ? -1 : 1))
        .slice(0, limit)
        .map((m) => ({ ...m, user: publicUser(m.user), flags: 0, pending: false, avatar: null, premium_since: null }));
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/guilds/${ID}/members/${ID}$`),
    bucket: 'guild-member:major',
    rule: 'read',
    handler: (ctx, req) => {
      guildOr404(ctx, req.params[0]!, req.user.id);
      const [member] = ctx.community.directory.members(LOBBY_ID, { limit: 1, userIds: [req.params[1]!] });
      if (!member) throw unknownMember();
      return { ...member, user: publicUser(member.user), flags: 0, pending: false, avatar: null, premium_since: null };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/channels/${ID}$`),
    bucket: 'channels:major',
    rule: 'read',
    handler: (ctx, req) => channelObject(checkView(ctx, req.user.id, req.params[0]!)),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/channels/${ID}/messages$`),
    bucket: 'messages:major',
    rule: 'read',
    handler: async (ctx, req) => {
      const channelId = req.params[0]!;
      checkView(ctx, req.user.id, channelId);
      const limitRaw = req.query.get('limit');
      const limit = limitRaw === null ? 50 : Number(limitRaw);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
        throw invalidFormBody('limit', 'NUMBER_TYPE_MAX', 'int value should be between 1 and 100.');
      }
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
    pattern: new RegExp(`^/channels/${ID}/messages/${ID}$`),
    bucket: 'message:major',
    rule: 'read',
    handler: async (ctx, req) => shape(ctx, await ownMessage(ctx, req)),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/channels/${ID}/messages$`),
    bucket: 'create-message:major',
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
      }
      let reference: MessageExtra['message_reference'];
      let referencedAuthor: UserData | undefined;
      if (body.message_reference !== undefined && body.message_reference !== null) {
        const ref = field(body.message_reference);
        const messageId = typeof ref.message_id === 'string' ? ref.message_id : '';
        if (!/^\d{1,20}$/.test(messageId)) {
          throw invalidFormBody('message_reference.message_id', 'NUMBER_TYPE_COERCE', 'Value is not snowflake.');
        }
        const refChannel = typeof ref.channel_id === 'string' ? ref.channel_id : channelId;
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
      const { user: _user, ...memberWithoutUser } = member ?? { user: null };
      ctx.gateway.dispatchToChannel(LOBBY_ID, channelId, 'MESSAGE_CREATE', { ...message, member: memberWithoutUser });
      return message;
    },
  },
  {
    method: 'PATCH',
    pattern: new RegExp(`^/channels/${ID}/messages/${ID}$`),
    bucket: 'edit-message:major',
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
      ctx.gateway.dispatchToChannel(LOBBY_ID, m.channelId, 'MESSAGE_UPDATE', message);
      return message;
    },
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`^/channels/${ID}/messages/${ID}$`),
    bucket: 'delete-message:major',
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
    pattern: new RegExp(`^/channels/${ID}/typing$`),
    bucket: 'typing:major',
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
        member: member ? { ...member, user: publicUser(member.user) } : undefined,
      });
    },
  },
];

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    'Content-Length': Buffer.byteLength(data),
  });
  res.end(data);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 40005, 'Request entity too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  const type = req.headers['content-type'] ?? '';
  if (!type.includes('application/json')) {
    throw invalidFormBody('_', 'CONTENT_TYPE_INVALID', 'Expected application/json (attachments are not supported).');
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 50109, 'The request body contains invalid JSON.');
  }
}

/**
 * REST under `/api` and `/api/v<n>` (discord.js uses `<api>/v10`). Returns false when the path is not an API path.
 */
export function createRestHandler(ctx: RestContext) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/api(?:\/v\d+)?(\/.*)$/.exec(url.pathname);
    if (!match) return false;
    const path = match[1]!.replace(/\/+$/, '') || '/';
    const cors = {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-Audit-Log-Reason',
      'Access-Control-Allow-Methods': 'GET, POST, PATCH, DELETE, PUT',
      'Access-Control-Expose-Headers':
        'X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-RateLimit-Reset-After, X-RateLimit-Bucket, Retry-After',
    };
    if (req.method === 'OPTIONS') {
      send(res, 204, undefined, cors);
      return true;
    }
    try {
      const candidates = routes.filter((r) => r.pattern.test(path));
      if (candidates.length === 0) throw new HttpError(404, 0, '404: Not Found');
      const route = candidates.find((r) => r.method === req.method);
      if (!route) throw new HttpError(405, 0, '405: Method Not Allowed');
      const header = req.headers.authorization?.trim() ?? '';
      const isBot = /^Bot\s+/i.test(header);
      const token = header.replace(/^(Bot|Bearer)\s+/i, '').trim();
      const user = token ? await ctx.authenticate(token, isBot) : null;
      if (!user && !route.public) throw unauthorized();
      const params = route.pattern.exec(path)!.slice(1);
      const rateKey = user?.id ?? `ip:${req.socket.remoteAddress}`;
      const rate = ctx.limiter.take(
        route.bucket.replace(':major', `:${params[0] ?? ''}`),
        rateKey,
        ctx.rateLimits[route.rule],
      );
      if (!rate.allowed) {
        send(
          res,
          429,
          { message: 'You are being rate limited.', retry_after: Number(rate.retryAfter.toFixed(3)), global: false },
          { ...cors, ...rate.headers, 'Retry-After': String(Math.ceil(rate.retryAfter)), 'X-RateLimit-Scope': 'user' },
        );
        return true;
      }
      const body = req.method === 'GET' || req.method === 'DELETE' ? undefined : await readBody(req);
      const result = await route.handler(ctx, {
        method: route.method,
        params,
        query: url.searchParams,
        body,
        user: user as UserData,
        host: req.headers.host ?? 'localhost',
      });
      if (route.empty) send(res, 204, undefined, { ...cors, ...rate.headers });
      else send(res, 200, result, { ...cors, ...rate.headers });
    } catch (error) {
      if (error instanceof HttpError) send(res, error.status, error.body(), cors);
      else if ((error as { code?: string }).code === 'INVALID_ARGUMENT') {
        send(res, 400, invalidFormBody('_', 'INVALID', (error as Error).message).body(), cors);
      } else if ((error as { code?: string }).code === 'NOT_FOUND') send(res, 404, unknownMessage().body(), cors);
      else {
        console.error('[rest] %s %s failed:', req.method, url.pathname, error);
        send(res, 500, { code: 0, message: '500: Internal Server Error' }, cors);
      }
    }
    return true;
  };
}
