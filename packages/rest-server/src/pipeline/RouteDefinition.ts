import type { UserData } from '@concord/gateway-server';
import type { APIAttachment } from 'discord-api-types/v10';
import type { RouteRateLimits } from '../rateLimit/RateLimits.js';
import type { RestContext } from './RestContext.js';

/** One file of a multipart upload, stored, as the attachment object Discord sends for it. */
export interface UploadedFile {
  /** `n` of the `files[n]` field (payload_json's `attachments[].id` refers to it). */
  index: number;
  /** The blob store key (`<channel>/<attachment>/<filename>`), to delete it when the request fails. */
  key: string;
  attachment: APIAttachment;
}

/** What a route handler is given. */
export interface RestRequest {
  readonly ctx: RestContext;
  /** The caller. On a public route called without a token, {@link ANONYMOUS_USER}. */
  readonly user: UserData;
  /** Path parameters by name; every one not listed in `RouteDefinition.strings` is a valid snowflake. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The JSON body (or multipart `payload_json`); `{}` when the request had none. */
  readonly body: unknown;
  /** Files of a multipart request on an `uploads` route, already stored. */
  readonly files: readonly UploadedFile[];
  /** `X-Audit-Log-Reason`, decoded and checked (at most 512 characters). */
  readonly reason: string | undefined;
  /** The Host header (for URLs the answer carries). */
  readonly host: string;
  /** The request came over TLS (or, with Fastify's `trustProxy`, `X-Forwarded-Proto: https`): URLs use wss/https. */
  readonly secure: boolean;
}

/** What {@link RouteDefinition.uploadChannel} is given: the request before its body is read. */
export interface UploadChannelRequest {
  readonly ctx: RestContext;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
}

/**
 * A handler's answer whose status is decided at run time (Discord's command upsert: 201 for a new command, 200 for a
 * replaced one). Any other value a handler returns is the body, sent with the route's `status`.
 */
export class RouteAnswer {
  constructor(
    readonly status: 200 | 201,
    readonly body: unknown,
  ) {}
}

/** The caller of a public route without a token. */
export const ANONYMOUS_USER: UserData = Object.freeze({ id: '0', username: '' });

export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One route: Discord's method and path template, its rate-limit rule and what it does. */
export interface RouteDefinition {
  method: RouteMethod;
  /**
   * Discord's route template (`/channels/:channel_id/messages/:message_id`). A first `:channel_id`, `:guild_id` or
   * `:webhook_id` is the major parameter: buckets are counted per major parameter, as Discord's.
   */
  path: string;
  rule: keyof RouteRateLimits;
  /** The answer's body; `undefined` answers 204. */
  handler(req: RestRequest): unknown;
  /** Status of a successful answer with a body (default 200). */
  status?: 200 | 201;
  /** No token needed (GET /gateway, as on Discord). */
  public?: boolean;
  /** Takes `multipart/form-data` with `payload_json` and `files[n]` (Discord's upload format). */
  uploads?: boolean;
  /**
   * Where a multipart request's files are stored (`<channel>/<attachment>/<filename>`) on an `uploads` route whose path
   * has no `:channel_id` (a webhook's channel, an interaction's): called before the body is read, so it is also where
   * such a route refuses a caller (a wrong webhook token) before anything is stored.
   */
  uploadChannel?(req: UploadChannelRequest): Promise<string>;
  /** Path parameters that are not snowflakes (an invite code, an emoji). */
  strings?: readonly string[];
}
