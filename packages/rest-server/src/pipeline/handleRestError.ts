import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RestError } from '../errors/RestError.js';
import { toRestError } from '../errors/toRestError.js';
import { corsHeaders } from './corsHeaders.js';
import { invalidRequestKey } from './guardRequest.js';
import type { RestContext } from './RestContext.js';
import { requestState } from './requestState.js';
import { sendJson } from './sendJson.js';

// Discord counts 401, 403 and 429 answers as invalid requests.
const INVALID_STATUSES = new Set([401, 403, 429]);

/**
 * The plugin's error handler: whatever was thrown (by the guard, a body parser, a route, a service, Fastify itself)
 * is answered in Discord's shape, with the route bucket's headers when the guard got that far. Internal errors are
 * logged and answered 500 without their message.
 */
export async function handleRestError(
  ctx: RestContext,
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const { error: refusal, internal } = toRestError(error);
  if (internal) ctx.logInternal(error, { method: request.method, url: request.url });
  if (INVALID_STATUSES.has(refusal.status)) {
    try {
      await ctx.limiter.take(invalidRequestKey(request), ctx.rateLimits.invalidRequests);
    } catch (limiterError) {
      ctx.logInternal(limiterError, { method: request.method, url: request.url });
    }
  }
  return sendRefusal(reply, refusal, templateOf(request), requestState(request)?.headers ?? {}, request);
}

/** A refusal with its headers; `Connection: close` when the request's body is still arriving. */
export function sendRefusal(
  reply: FastifyReply,
  refusal: RestError,
  template: string,
  headers: Record<string, string>,
  request: FastifyRequest,
): FastifyReply {
  const unread: Record<string, string> = request.raw.complete ? {} : { Connection: 'close' };
  return sendJson(reply, template, refusal.status, refusal.body(), {
    ...corsHeaders,
    ...headers,
    ...refusal.headers,
    ...unread,
  });
}

/** The Discord route template the request matched (`GET /channels/:channel_id`), or '' outside the routes. */
export function templateOf(request: FastifyRequest): string {
  const config = request.routeOptions.config as { template?: unknown } | undefined;
  return typeof config?.template === 'string' ? config.template : '';
}
