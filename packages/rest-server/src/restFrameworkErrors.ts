import type { FastifyReply, FastifyRequest } from 'fastify';
import { corsHeaders } from './pipeline/corsHeaders.js';
import { sendJson } from './pipeline/sendJson.js';

/**
 * A `frameworkErrors` option for `Fastify({ frameworkErrors: restFrameworkErrors })`: the refusals Fastify makes
 * while routing (a malformed URL, a path parameter past `maxParamLength`), before any plugin sees the request, so
 * concordRest cannot answer them itself. With it they get Discord's shape too. createRestServer sets it.
 */
export function restFrameworkErrors(
  error: Error & { code?: string },
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  const status = tooLong ? 414 : 400;
  sendJson(
    reply,
    '',
    status,
    { code: 0, message: tooLong ? '414: URI Too Long' : '400: Bad Request' },
    { ...corsHeaders },
  );
}
