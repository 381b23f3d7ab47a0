import { afterEach, describe, it } from 'vitest';
import { type RunningServer, startServer } from '../../examples/chat-server/__tests__/startServer.js';
import { expectRoundTrip } from '../harness/expectRoundTrip.js';
import { interopEnv } from '../harness/interopEnv.js';
import { runBot } from '../harness/runBot.js';
import { requireArtefact } from '../harness/toolchain.js';
import { twilightBinary } from '../harness/twilight.js';
import { withKnownFailure } from '../harness/withKnownFailure.js';

// twilight-model deserialises every event strictly (a missing required field fails the event); twilight-gateway's
// transport compression is chosen at build time: zstd-stream by default, zlib-stream with its `zlib` feature.
for (const compression of ['zstd', 'zlib'] as const) {
  const binary = twilightBinary(compression);
  const built = requireArtefact(`twilight (${compression})`, binary);

  describe.skipIf(!built)(`twilight 0.18 (crates.io), JSON + ${compression}-stream`, () => {
    let server: RunningServer | undefined;
    afterEach(async () => {
      await server?.stop();
    });

    it('logs in, deserialises READY and GUILD_CREATE, MESSAGE_CREATE arrives for its ping, its REST reply arrives', (ctx) =>
      withKnownFailure(ctx, `twilight ${compression}`, async () => {
        server = await startServer();
        const run = await runBot({ command: binary, args: [], env: interopEnv(server, 'twilight'), timeoutMs: 30_000 });
        await expectRoundTrip(server, 'twilight', run);
      }));
  });
}
