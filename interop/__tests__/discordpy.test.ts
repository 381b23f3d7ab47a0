import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../examples/chat-server/__tests__/startServer.js';
import { discordPyDir, discordPyPython, discordPyZstdPython } from '../harness/discordpy.js';
import { expectRoundTrip } from '../harness/expectRoundTrip.js';
import { interopEnv } from '../harness/interopEnv.js';
import { runBot } from '../harness/runBot.js';
import { requireArtefact } from '../harness/toolchain.js';
import { withKnownFailure } from '../harness/withKnownFailure.js';

const variants = [
  { compression: 'zlib-stream', python: discordPyPython, known: 'discord.py text' },
  { compression: 'zstd-stream', python: discordPyZstdPython, known: 'discord.py text zstd' },
] as const;

for (const { compression, python, known } of variants) {
  const installed = requireArtefact(`discord.py (${compression})`, python);

  describe.skipIf(!installed)(`discord.py 2.7 (PyPI), JSON + ${compression}`, () => {
    let server: RunningServer | undefined;
    afterEach(async () => {
      await server?.stop();
    });

    it('logs in, parses READY and GUILD_CREATE, on_message fires for its ping, its REST reply arrives', (ctx) =>
      withKnownFailure(ctx, known, async () => {
        server = await startServer();
        const run = await runBot({
          command: python,
          args: ['text_bot.py'],
          cwd: discordPyDir,
          env: interopEnv(server, 'discord.py'),
          timeoutMs: 40_000,
        });
        expect(run.find('gateway')?.data?.compress, run.output).toBe(compression);
        await expectRoundTrip(server, 'discord.py', run);
      }));
  });
}
