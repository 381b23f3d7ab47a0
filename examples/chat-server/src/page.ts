import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export interface PageAssets {
  [path: string]: { type: string; body: Buffer };
}

// Resolved from the package root so it works from src/ (tsx) and from the bundled dist/main.js alike.
const dir = fileURLToPath(new URL('../src/page/', import.meta.url));

/**
 * The web page, bundled in memory at startup with esbuild (one ~10 ms build), so nobody runs a build step by hand
 * and nothing generated is written into the repository.
 */
export async function buildPage(): Promise<PageAssets> {
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
  return {
    '/': { type: 'text/html; charset=utf-8', body: html },
    '/app.js': { type: 'text/javascript; charset=utf-8', body: Buffer.from(bundle.outputFiles[0]!.contents) },
    '/style.css': { type: 'text/css; charset=utf-8', body: css },
  };
}
