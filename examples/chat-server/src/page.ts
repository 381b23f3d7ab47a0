import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

// From the package root, so it works from src/ (tsx) and from the bundled dist/main.js alike.
const dir = fileURLToPath(new URL('../src/page/', import.meta.url));

/**
 * The web page (src/page/), bundled in memory by esbuild at startup: no build step, nothing generated in the tree.
 * Served at `/`, `/app.js` and `/style.css` (GET and HEAD).
 */
export async function servePage(app: FastifyInstance): Promise<void> {
  const { build } = await import('esbuild');
  const [bundle, html, css] = await Promise.all([
    build({
      entryPoints: [`${dir}app.ts`],
      bundle: true,
      write: false,
      format: 'esm',
      target: 'es2022',
      minify: true,
      logLevel: 'silent',
    }),
    readFile(`${dir}index.html`),
    readFile(`${dir}style.css`),
  ]);
  const assets = {
    '/': ['text/html; charset=utf-8', html],
    '/app.js': ['text/javascript; charset=utf-8', Buffer.from(bundle.outputFiles[0]!.contents)],
    '/style.css': ['text/css; charset=utf-8', css],
  } as const;
  for (const [path, [type, body]] of Object.entries(assets)) {
    app.get(path, (_request, reply) => reply.type(type).header('Cache-Control', 'no-cache').send(body));
  }
}
