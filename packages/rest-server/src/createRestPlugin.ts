import multipart from '@fastify/multipart';
import type { FastifyContextConfig, FastifyInstance, FastifyPluginAsync } from 'fastify';
import { invalidFormBody } from './errors/invalidFormBody.js';
import { parseJsonBody } from './http/parseJsonBody.js';
import type { RestPluginOptions } from './options/RestPluginOptions.js';
import { type CompiledRoute, compileRoute } from './pipeline/compileRoute.js';
import { corsHeaders } from './pipeline/corsHeaders.js';
import { createRestContext } from './pipeline/createRestContext.js';
import { guardRequest } from './pipeline/guardRequest.js';
import { handleRestError, sendRefusal } from './pipeline/handleRestError.js';
import { notFoundOrNotAllowed } from './pipeline/notFoundOrNotAllowed.js';
import type { RestContext } from './pipeline/RestContext.js';
import { runRoute } from './pipeline/runRoute.js';
import { sendJson } from './pipeline/sendJson.js';
import { restRoutes } from './routes/restRoutes.js';

// Every route is served at `/<path>` and `/v<n>/<path>` (discord.js calls `<api>/v10`), whatever the version.
const VERSION_PREFIXES = ['', '/v:api_version(^\\d+)'];

/**
 * Discord's REST API as a Fastify plugin: `app.register(concordRest, { community, authenticate, prefix: '/api' })`.
 * Encapsulated: its body parsers, error handler and not-found handler apply to its own routes only, so it can share
 * an instance with the integrator's routes. Every answer, refusals included, is in Discord's shape.
 */
export const concordRest: FastifyPluginAsync<RestPluginOptions> = async (app, options) => {
  const { ctx, ownsLimiter } = createRestContext(options);
  if (ownsLimiter) app.addHook('onClose', async () => ctx.limiter.close());
  const routes = restRoutes.map(compileRoute);
  await installBodyParsers(app, ctx);

  app.setErrorHandler((error, request, reply) => handleRestError(ctx, error, request, reply));
  app.setNotFoundHandler((request, reply) => {
    const path = (request.url.split('?', 1)[0] ?? '').slice(app.prefix.length);
    return sendRefusal(reply, notFoundOrNotAllowed(routes, path), '', {}, request);
  });
  app.options('/*', (_request, reply) => sendJson(reply, '', 204, undefined, { ...corsHeaders }));
  for (const route of routes) registerRoute(app, ctx, route);
};

/** {@link concordRest} with its options bound, for `app.register(createRestPlugin(options), { prefix: '/api' })`. */
export function createRestPlugin(options: RestPluginOptions): FastifyPluginAsync {
  return (app) => concordRest(app, options);
}

function registerRoute(app: FastifyInstance, ctx: RestContext, route: CompiledRoute): void {
  for (const version of VERSION_PREFIXES) {
    app.route({
      method: route.method,
      url: `${version}${route.path}`,
      exposeHeadRoute: false,
      config: { template: route.template } as FastifyContextConfig,
      onRequest: (request) => guardRequest(ctx, route, request),
      handler: (request, reply) => runRoute(ctx, route, request, reply),
    });
  }
}

/**
 * JSON (capped at `maxJsonBytes`, Discord's 50109 for bad bytes), `multipart/form-data` (@fastify/multipart, bounded
 * by the upload options; only `uploads` routes read it), and a refusal for every other media type. Fastify's own
 * parsers are removed in this plugin's scope so none of their error formats can answer.
 */
async function installBodyParsers(app: FastifyInstance, ctx: RestContext): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: ctx.maxJsonBytes },
    (_request, body, done) => {
      try {
        done(null, parseJsonBody(body as Buffer));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
  await app.register(multipart, {
    throwFileSizeLimit: true,
    limits: {
      files: ctx.maxFiles,
      fileSize: ctx.maxFileBytes,
      fieldSize: ctx.maxJsonBytes,
      fields: 20,
      parts: ctx.maxFiles + 20,
      fieldNameSize: 100,
      headerPairs: 100,
    },
  });
  app.addContentTypeParser('*', (_request, _payload, done) =>
    done(invalidFormBody([], 'CONTENT_TYPE_INVALID', 'Expected application/json or multipart/form-data.'), undefined),
  );
}
