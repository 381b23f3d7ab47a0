import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../examples/chat-server/__tests__/startServer.js';
import { expectRoundTrip } from '../harness/expectRoundTrip.js';
import { interopEnv } from '../harness/interopEnv.js';
import { runBot } from '../harness/runBot.js';
import { withKnownFailure } from '../harness/withKnownFailure.js';

const require = createRequire(import.meta.url);
const bot = fileURLToPath(new URL('../eris/bot.mjs', import.meta.url));

/** Eris picks ETF only when erlpack loads (a native addon built by npm install: root allowScripts lists it). */
function erlpackLoads(): boolean {
  try {
    require('erlpack');
    return true;
  } catch (err) {
    if (process.env.CI === 'true') throw err;
    console.warn(`[skip] erlpack does not load (${(err as Error).message}); run npm install`);
    return false;
  }
}

describe.skipIf(!erlpackLoads())('Eris 0.18 (npm) with erlpack: ETF', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop();
  });

  for (const compress of ['none', 'zlib-stream'] as const) {
    it(`ETF, ${compress}: logs in, parses READY and GUILD_CREATE, messageCreate fires, its REST reply arrives`, (ctx) =>
      withKnownFailure(ctx, compress === 'none' ? 'eris etf' : 'eris etf zlib-stream', async () => {
        server = await startServer();
        const run = await runBot({
          command: process.execPath,
          args: [bot],
          env: { ...interopEnv(server, 'eris'), ERIS_COMPRESS: compress },
          timeoutMs: 30_000,
        });
        expect(String(run.find('gateway')?.data?.url), run.output).toContain('encoding=etf');
        await expectRoundTrip(server, 'eris', run);
      }));
  }
});
