import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidFormBody } from '../errors/invalidFormBody.js';
import { deleteUploads, readUploads } from '../http/readUploads.js';
import type { CompiledRoute } from './compileRoute.js';
import { corsHeaders } from './corsHeaders.js';
import type { RestContext } from './RestContext.js';
import { ANONYMOUS_USER, type RestRequest, RouteAnswer, type UploadedFile } from './RouteDefinition.js';
import { requestState } from './requestState.js';
import { sendJson } from './sendJson.js';

/**
 * A route's Fastify handler, after guardRequest.ts let the request through: reads an upload (on `uploads` routes, into
 * the path's channel or the route's `uploadChannel`), runs the route and sends its answer with the bucket's headers. A
 * failing route's uploads are deleted before the error goes on to the error handler.
 */
export async function runRoute(
  ctx: RestContext,
  route: CompiledRoute,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const state = requestState(request);
  const params = request.params as Record<string, string>;
  const host = request.host || 'localhost';
  let body: unknown = request.body ?? {};
  let files: UploadedFile[] = [];
  const queryAt = request.url.indexOf('?');
  const query = new URLSearchParams(queryAt < 0 ? '' : request.url.slice(queryAt + 1));
  if (request.isMultipart?.()) {
    const channelId =
      params.channel_id ?? (route.uploads ? await route.uploadChannel?.({ ctx, params, query }) : undefined);
    if (!route.uploads || channelId === undefined) {
      throw invalidFormBody([], 'CONTENT_TYPE_INVALID', 'Expected application/json.');
    }
    const cdnBase = ctx.cdnBase ?? `${request.protocol}://${host}${ctx.cdnPath}`;
    ({ body, files } = await readUploads(ctx, request, channelId, cdnBase));
  }
  const req: RestRequest = {
    ctx,
    user: state?.user ?? ANONYMOUS_USER,
    params,
    query,
    body,
    files,
    reason: state?.reason,
    host,
    secure: request.protocol === 'https',
  };
  let result: unknown;
  try {
    result = await route.handler(req);
  } catch (error) {
    await deleteUploads(ctx, files);
    throw error;
  }
  const headers = { ...corsHeaders, ...state?.headers };
  if (result === undefined) return sendJson(reply, route.template, 204, undefined, headers);
  if (result instanceof RouteAnswer) return sendJson(reply, route.template, result.status, result.body, headers);
  return sendJson(reply, route.template, route.status ?? 200, result, headers);
}
