// Bundles the server's own sources (src/main.ts and what it imports) into dist/main.js; packages stay external.
// `npm start` runs the result with plain node: no TypeScript loader at startup. The web page is not part of this
// bundle; the server bundles it in memory when it starts (src/page.ts).
import { build } from 'esbuild';

export async function buildServer() {
  await build({
    entryPoints: [new URL('./src/main.ts', import.meta.url).pathname],
    outfile: new URL('./dist/main.js', import.meta.url).pathname,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildServer();
