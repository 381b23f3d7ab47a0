import { addressKey, type UserData } from '@concord/gateway-server';
import { isSnowflake } from '@concord/snowflake';
import type { FastifyRequest } from 'fastify';
import { notSnowflake } from '../errors/invalidFormBody.js';
import { RateLimitedError } from '../errors/RateLimitedError.js';
import { restErrors } from '../errors/restErrors.js';
import type { RateLimitResult } from '../rateLimit/RateLimitRule.js';
import { rateLimitHeaders } from '../rateLimit/rateLimitHeaders.js';
import type { CompiledRoute } from './compileRoute.js';
import type { RestContext } from './RestContext.js';
import { readAuditLogReason } from './readAuditLogReason.js';
import { readToken } from './readToken.js';
import { setRequestState } from './requestState.js';

/** Discord's global 429 (`global: true`, `X-RateLimit-Global`, scope `global`). */
function globalLimit(rate: RateLimitResult): RateLimitedError {
  return new RateLimitedError(rate.resetAfter, true, { 'X-RateLimit-Scope': 'global' });
}

function userInput(user: UserData) {
  return {
    id: user.id,
    username: user.username,
    ...(user.global_name !== undefined ? { global_name: user.global_name } : {}),
    ...(user.avatar !== undefined ? { avatar: user.avatar } : {}),
    ...(user.bot !== undefined ? { bot: user.bot } : {}),
  };
}

/** The invalid-request window's key of a request (see RateLimits.invalidRequests). */
export function invalidRequestKey(request: FastifyRequest): string {
  return `invalid:${addressKey(request.socket.remoteAddress)}`;
}

/**
 * The checks before a body is read (a route-level `onRequest` hook), cheapest and least trusting first: the address's
 * invalid-request window; the token; one global window per user (per address without a valid token); the path
 * parameters' snowflake syntax; `X-Audit-Log-Reason`; only then the route's bucket, keyed by route template + major
 * parameter + user. So a refused request costs no body read, every limiter key names a user or an address and
 * well-formed ids, and bucket hashes are one per route template.
 */
export async function guardRequest(ctx: RestContext, route: CompiledRoute, request: FastifyRequest): Promise<void> {
  const rules = ctx.rateLimits;
  const banned = await ctx.limiter.peek(invalidRequestKey(request), rules.invalidRequests);
  if (!banned.allowed) throw globalLimit(banned);

  const { token, scheme } = readToken(request.headers.authorization);
  const remoteAddress = request.socket.remoteAddress ?? '';
  const authenticated = token
    ? await ctx.authenticate(token, scheme ? { remoteAddress, scheme } : { remoteAddress })
    : null;
  const user: UserData | null = authenticated?.user ?? null;
  const who = user ? `user:${user.id}` : `ip:${addressKey(request.socket.remoteAddress)}`;
  const global = await ctx.limiter.take(`global:${who}`, user ? rules.global : rules.unauthenticated);
  if (!global.allowed) throw globalLimit(global);
  if (!user && !route.public) throw restErrors.unauthorized();
  // The community model keeps its own user records; the first request of a user creates theirs from what
  // authentication resolved (a cache hit afterwards: packages/guilds/src/services/UserService.ts).
  if (user) await ctx.community.users.ensure(userInput(user));

  const params = request.params as Record<string, string>;
  for (const name of route.snowflakes) {
    const value = params[name] ?? '';
    if (!isSnowflake(value)) throw notSnowflake(name, value);
  }
  const reason = readAuditLogReason(request.headers['x-audit-log-reason'], ctx.maxAuditLogReasonLength);

  const major = route.major ? (params[route.major] ?? '') : '';
  const rate = await ctx.limiter.take(`route:${route.bucket}:${major}:${who}`, rules[route.rule]);
  const headers = rateLimitHeaders(rate, route.bucket);
  setRequestState(request, { user, reason, headers });
  if (!rate.allowed) throw new RateLimitedError(rate.resetAfter, false, { ...headers, 'X-RateLimit-Scope': 'user' });
}
