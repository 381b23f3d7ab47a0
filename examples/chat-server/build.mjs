// Bundles the server's own sources (src/main.ts and what it imports) into dist/main.js; packages stay external.
// `npm start` runs the result with plain node: no TypeScript loader at startup. The web page is not part of this
// bundle; the server bundles it in memory when it starts (src/page.ts).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { build } from 'esbuild';

export async function buildServer() {
  const outfile = new URL('./dist/main.js', import.meta.url).pathname;
  const result = await build({
    entryPoints: [new URL('./src/main.ts', import.meta.url).pathname],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
    write: false,
  });
  mkdirSync(new URL('./dist/', import.meta.url), { recursive: true });
  // Write then rename: a server being started from dist/ (tests of several projects) never reads half a file.
  for (const file of result.outputFiles) {
    const tmp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(tmp, file.contents);
    renameSync(tmp, file.path);
  }
  return basename(outfile);
}

if (import.meta.url === `file://${process.argv[1]}`) await buildServer();
