import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, it } from 'vitest';
import { type RunningServer, startServer } from '../../examples/chat-server/__tests__/startServer.js';
import { discordPyDir, discordPyPython } from '../harness/discordpy.js';
import { jdaTarget } from '../harness/jda.js';
import { requireArtefact } from '../harness/toolchain.js';
import { type CommandLibrary, runCommandScenario, SCENARIO_TIMEOUT_MS } from './commandsScenario.js';

// The command scenario (commandsScenario.ts): the same steps for each library's unmodified command bot, driven by a
// user acting as Discord's official client. A step the server gets wrong fails the library's test.
const libraries: { title: string; artefact?: string; library: CommandLibrary }[] = [
  {
    title: 'discord.js 14 (npm)',
    library: {
      lib: 'discord.js',
      start: () => ({
        command: process.execPath,
        args: [fileURLToPath(new URL('../discordjs/commands_bot.mjs', import.meta.url))],
      }),
      via: {
        autocomplete: 'isAutocomplete',
        command: 'isChatInputCommand',
        button: 'isButton',
        modal: 'isModalSubmit',
        select: 'isStringSelectMenu',
        inspect: 'isUserContextMenuCommand',
      },
    },
  },
  {
    title: 'discord.py 2.7 (PyPI)',
    artefact: discordPyPython,
    library: {
      lib: 'discord.py',
      start: () => ({ command: discordPyPython, args: ['commands_bot.py'], cwd: discordPyDir }),
      // discord.py's InteractionType names.
      via: {
        autocomplete: 'autocomplete',
        command: 'application_command',
        button: 'component',
        modal: 'modal_submit',
        select: 'component',
        inspect: 'application_command',
      },
    },
  },
  {
    title: 'JDA 6.5.0 (Maven Central)',
    artefact: join(jdaTarget, 'classes', 'concord', 'interop', 'JdaCommandsBot.class'),
    library: {
      lib: 'jda',
      start: () => ({
        command: 'java',
        args: [
          '-cp',
          `${join(jdaTarget, 'classes')}:${join(jdaTarget, 'dependency', '*')}`,
          'concord.interop.JdaCommandsBot',
        ],
      }),
      // The event classes JDA dispatched.
      via: {
        autocomplete: 'CommandAutoCompleteInteractionEvent',
        command: 'SlashCommandInteractionEvent',
        button: 'ButtonInteractionEvent',
        modal: 'ModalInteractionEvent',
        select: 'StringSelectInteractionEvent',
        inspect: 'UserContextInteractionEvent',
      },
    },
  },
];

for (const { title, artefact, library } of libraries) {
  const installed = artefact === undefined || requireArtefact(title, artefact);

  describe.skipIf(!installed)(`${title}: command bot`, () => {
    let server: RunningServer | undefined;
    afterEach(async () => {
      await server?.stop();
    });

    it(
      'syncs its commands, answers autocomplete, /echo, the button’s modal, a deferred reply with edit and ephemeral follow-up, the select’s update and the user command',
      async () => {
        server = await startServer();
        await runCommandScenario(server, library);
      },
      SCENARIO_TIMEOUT_MS,
    );
  });
}
