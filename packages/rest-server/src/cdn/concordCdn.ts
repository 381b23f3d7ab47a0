import { type BlobStore, createBlobRequestHandler } from '@concord/storage-adapters/blobs';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

export interface CdnPluginOptions {
  /** The store uploads and images went to (the `blobs` of concordRest and of the Community). */
  blobs: BlobStore;
}

/**
 * Image folders the community model stores under their own key prefix (`emojis/<id>.<ext>`, `avatars/<user>/<hash>.<ext>`;
 * packages/guilds/src/services/EmojiService.ts, UserService.ts), served at the same path as on Discord's CDN.
 */
const IMAGE_FOLDERS = ['emojis', 'avatars', 'icons', 'banners', 'splashes', 'role-icons'] as const;

/**
 * Discord's CDN paths over the blob store, with its own HTTP handler (ETag, ranges, Content-Disposition):
 * `<prefix>/attachments/<channel>/<attachment>/<filename>` (the URLs concordRest puts in attachment objects; the key is
 * what follows `attachments/`) and `<prefix>/emojis/…`, `<prefix>/avatars/…` (the key is the whole path after the
 * prefix). Register it with the path part of `cdnBase` as `prefix` (default `/cdn`).
 */
export const concordCdn: FastifyPluginAsync<CdnPluginOptions> = async (app, options) => {
  const attachments = createBlobRequestHandler(options.blobs, { prefix: `${app.prefix}/attachments/` });
  const images = createBlobRequestHandler(options.blobs, { prefix: `${app.prefix}/` });
  const serve = (handler: typeof images) => async (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    try {
      const handled = await handler(request.raw, reply.raw);
      if (!handled) reply.raw.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
    } catch {
      if (!reply.raw.headersSent) reply.raw.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      reply.raw.end();
    }
  };
  app.get('/attachments/*', serve(attachments));
  for (const folder of IMAGE_FOLDERS) app.get(`/${folder}/*`, serve(images));
};
