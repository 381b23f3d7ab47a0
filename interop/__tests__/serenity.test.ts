import { afterEach, describe, it } from 'vitest';
import { type RunningServer, startServer } from '../../examples/chat-server/__tests__/startServer.js';
import { expectRoundTrip } from '../harness/expectRoundTrip.js';
import { interopEnv } from '../harness/interopEnv.js';
import { runBot } from '../harness/runBot.js';
import { serenityBinary } from '../harness/serenity.js';
import { requireArtefact } from '../harness/toolchain.js';
import { withKnownFailure } from '../harness/withKnownFailure.js';

const built = requireArtefact('serenity', serenityBinary);

// serenity 0.12.5 (the newest on crates.io) speaks JSON and asks for per-payload zlib (`compress: true` in Identify);
// it has no zlib-stream or zstd-stream transport compression.
describe.skipIf(!built)('serenity 0.12.5 (crates.io), JSON + payload zlib', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop();
  });

  it('logs in, parses READY and GUILD_CREATE into its cache, the message event fires, its REST reply arrives', (ctx) =>
    withKnownFailure(ctx, 'serenity', async () => {
      server = await startServer();
      const run = await runBot({
        command: serenityBinary,
        args: [],
        env: interopEnv(server, 'serenity'),
        timeoutMs: 30_000,
      });
      await expectRoundTrip(server, 'serenity', run);
    }));
});
