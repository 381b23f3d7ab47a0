import type { IncomingMessage, ServerResponse } from 'node:http';
import { addressKey, outgoingCheck, type UserData } from '@concord/gateway-server';
import { isSnowflake } from '@concord/snowflake';
import { NewUserRateLimitedError } from '../NewUserRateLimitedError.js';
import {
  HttpError,
  invalidFormBody,
  notSnowflake,
  RateLimitedError,
  unauthorized,
  unknownMessage,
} from './HttpError.js';
import type { RateLimitResult } from './RateLimiter.js';
import type { RestContext } from './RestContext.js';
import { rateLimitHeaders } from './rateLimitHeaders.js';
import { declaresBody, RequestAbortedError, readJsonBody } from './readJsonBody.js';
import { checkView, findRoute, guildOr404 } from './routes.js';

/** `route`: the route template (`GET /channels/:channel_id`), for the test-only contract check (gateway-server src/contract). */
function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  route = '',
): void {
  outgoingCheck()?.rest(route, status, body);
  const data = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    'Content-Length': Buffer.byteLength(data),
  });
  res.end(data);
}

/** Discord's global 429 (`global: true`, `X-RateLimit-Global`, scope `global`). */
function globalLimit(rate: RateLimitResult): RateLimitedError {
  return new RateLimitedError(rate.resetAfter, true, { 'X-RateLimit-Scope': 'global' });
}

// Discord counts 401, 403 and 429 answers as invalid requests.
const INVALID_STATUSES = new Set([401, 403, 429]);

/**
 * REST under `/api` and `/api/v<n>` (discord.js uses `<api>/v10`). Returns false when the path is not an API path.
 *
 * Order of checks, cheapest and least trusting first: the route; the address's invalid-request window; the token; one
 * global window per user (per address without a valid token); the path parameters (snowflake syntax, then the major
 * parameter must exist and be visible); only then the route's bucket, keyed by route template + major parameter +
 * user. So every key the limiter holds names a user or an address and a real channel or guild, never a value a client
 * made up, and the bucket hashes are one per route template.
 */
export function createRestHandler(ctx: RestContext) {
  const rules = ctx.rateLimits;
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
        'X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-RateLimit-Reset-After, X-RateLimit-Bucket, X-RateLimit-Global, X-RateLimit-Scope, Retry-After',
    };
    if (req.method === 'OPTIONS') {
      send(res, 204, undefined, cors);
      return true;
    }
    const address = addressKey(req.socket.remoteAddress);
    const invalidKey = `invalid:${address}`;
    try {
      const { route, values } = findRoute(path, req.method);
      const banned = ctx.limiter.peek(invalidKey, rules.invalidRequests);
      if (!banned.allowed) throw globalLimit(banned);

      const header = req.headers.authorization?.trim() ?? '';
      const isBot = /^Bot\s+/i.test(header);
      const token = header.replace(/^(Bot|Bearer)\s+/i, '').trim();
      let user: UserData | null = null;
      try {
        user = token ? await ctx.authenticate(token, isBot, { remoteAddress: req.socket.remoteAddress ?? '' }) : null;
      } catch (error) {
        if (!(error instanceof NewUserRateLimitedError)) throw error;
        throw new RateLimitedError(error.retryAfter, false, { 'X-RateLimit-Scope': 'user' });
      }
      const who = user ? `user:${user.id}` : `ip:${address}`;
      const global = ctx.limiter.take(`global:${who}`, user ? rules.global : rules.unauthenticated);
      if (!global.allowed) throw globalLimit(global);
      if (!user && !route.public) throw unauthorized();

      values.forEach((value, i) => {
        if (!isSnowflake(value)) throw notSnowflake(route.params[i]!, value);
      });
      const major = route.major ? values[0]! : '';
      if (route.major === 'channel_id') checkView(ctx, user!.id, major);
      else if (route.major === 'guild_id') guildOr404(ctx, major, user!.id);

      const rate = ctx.limiter.take(`route:${route.bucket}:${major}:${who}`, rules[route.rule]);
      const headers = { ...cors, ...rateLimitHeaders(rate, route.bucket) };
      if (!rate.allowed)
        throw new RateLimitedError(rate.resetAfter, false, { ...headers, 'X-RateLimit-Scope': 'user' });

      const body = req.method === 'GET' || req.method === 'DELETE' ? undefined : await readJsonBody(req, ctx.body);
      const result = await route.handler(ctx, {
        method: route.method,
        params: values,
        query: url.searchParams,
        body,
        user: user as UserData,
        host: req.headers.host ?? 'localhost',
      });
      if (route.empty) send(res, 204, undefined, headers);
      else send(res, 200, result, headers, `${route.method} ${route.path}`);
    } catch (error) {
      // Nobody is left to answer.
      if (error instanceof RequestAbortedError) return true;
      let refusal: HttpError;
      if (error instanceof HttpError) refusal = error;
      else if ((error as { code?: string }).code === 'NOT_FOUND') refusal = unknownMessage();
      else if ((error as { code?: string }).code === 'INVALID_ARGUMENT') {
        // Storage refused a value the checks above let through: a 400, without storage's own wording.
        refusal = invalidFormBody('', 'INVALID', 'The request contains a value that cannot be stored.');
      } else {
        console.error('[rest] %s %s failed:', req.method, url.pathname, error);
        refusal = new HttpError(500, 0, '500: Internal Server Error');
      }
      if (INVALID_STATUSES.has(refusal.status)) ctx.limiter.take(invalidKey, rules.invalidRequests);
      // A body still arriving is not read just to keep the connection: close it once the answer is out.
      const unread: Record<string, string> = declaresBody(req) && !req.complete ? { Connection: 'close' } : {};
      send(res, refusal.status, refusal.body(), { ...cors, ...refusal.headers, ...unread });
    }
    return true;
  };
}
