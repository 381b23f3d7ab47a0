import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

// From the package root, so it works from src/ and from the bundled dist/main.js alike.
const dir = fileURLToPath(new URL('../src/page/', import.meta.url));

/**
 * The page (src/page/), bundled in memory by esbuild at startup, @concord/games/client and @concord/voice/browser
 * included as a browser would get them. Served at `/`, `/main.js` and `/style.css`.
 */
export async function servePage(app: FastifyInstance): Promise<void> {
  const { build } = await import('esbuild');
  const [bundle, html, css] = await Promise.all([
    build({
      entryPoints: [`${dir}main.ts`],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      logLevel: 'silent',
    }),
    readFile(`${dir}index.html`),
    readFile(`${dir}style.css`),
  ]);
  const assets = {
    '/': ['text/html; charset=utf-8', html],
    '/main.js': ['text/javascript; charset=utf-8', Buffer.from(bundle.outputFiles[0]?.contents ?? [])],
    '/style.css': ['text/css; charset=utf-8', css],
  } as const;
  for (const [path, [type, body]] of Object.entries(assets)) {
    app.get(path, (_request, reply) => reply.type(type).header('Cache-Control', 'no-cache').send(body));
  }
}
