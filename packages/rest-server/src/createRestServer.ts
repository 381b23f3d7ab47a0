import Fastify, { type FastifyInstance } from 'fastify';
import { concordCdn } from './cdn/concordCdn.js';
import { concordRest } from './createRestPlugin.js';
import { defaultRestOptions } from './options/defaultRestOptions.js';
import type { RestPluginOptions } from './options/RestPluginOptions.js';
import { restFrameworkErrors } from './restFrameworkErrors.js';

export interface RestServerOptions extends RestPluginOptions {
  /** Where the API is mounted; default `/api`. */
  prefix?: string;
}

/**
 * A ready Fastify instance serving the API under `/api` (and, with `blobs`, the attachment CDN under `/cdn`), for
 * those without a server of their own: `await (await createRestServer(options)).listen({ port })`. Malformed URLs,
 * which Fastify refuses before any plugin sees them, get Discord's 400 too.
 */
export async function createRestServer(options: RestServerOptions): Promise<FastifyInstance> {
  const { prefix = '/api', ...rest } = options;
  const app = Fastify({
    logger: false,
    frameworkErrors: restFrameworkErrors,
  });
  await app.register(concordRest, { ...rest, prefix });
  if (rest.blobs) {
    // The CDN at the path of `cdnBase` (harmless when that names another host, which then serves it).
    const cdnPath = rest.cdnBase ? new URL(rest.cdnBase).pathname.replace(/\/+$/, '') : defaultRestOptions.cdnPath;
    await app.register(concordCdn, { blobs: rest.blobs, prefix: cdnPath });
  }
  await app.ready();
  return app;
}
