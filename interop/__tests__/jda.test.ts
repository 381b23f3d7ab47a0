import { afterEach, describe, it } from 'vitest';
import { type RunningServer, startServer } from '../../examples/chat-server/__tests__/startServer.js';
import { expectRoundTrip } from '../harness/expectRoundTrip.js';
import { interopEnv } from '../harness/interopEnv.js';
import { jdaClasses, jdaCommand } from '../harness/jda.js';
import { runBot } from '../harness/runBot.js';
import { requireArtefact } from '../harness/toolchain.js';
import { withKnownFailure } from '../harness/withKnownFailure.js';

const built = requireArtefact('JDA', jdaClasses);

describe.skipIf(!built)('JDA 6.5.0 (Maven Central), zlib-stream', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop();
  });

  for (const encoding of ['json', 'etf'] as const) {
    it(`${encoding.toUpperCase()}: logs in, parses READY and GUILD_CREATE, onMessageReceived fires, its REST reply arrives`, (ctx) =>
      withKnownFailure(ctx, `jda ${encoding}`, async () => {
        server = await startServer();
        const run = await runBot({
          ...jdaCommand(),
          env: { ...interopEnv(server, 'jda'), JDA_ENCODING: encoding },
          timeoutMs: 40_000,
        });
        await expectRoundTrip(server, 'jda', run);
      }));
  }
});
