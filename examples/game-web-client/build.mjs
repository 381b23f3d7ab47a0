// Bundles the game server's own sources (src/main.ts and what it imports) into dist/main.js; packages stay external.
// The page is not part of this bundle: the server bundles src/page/ in memory when it starts (src/servePage.ts).
import { build } from 'esbuild';

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
