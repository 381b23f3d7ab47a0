// discord.js 14 command bot (interop/__tests__/commands.test.ts): registers /echo and the user command Inspect with
// client.application.commands.set, then answers what the test's official client does (autocomplete, /echo, the
// button's modal, the deferred reply with its edit and ephemeral follow-up, the select's update, Inspect), printing one
// INTEROP line per step with what discord.js parsed, and exits 0 after Inspect. The one Concord-specific setting is
// `rest.api` (discord.js finds the gateway through GET /gateway/bot there), as in examples/bot/discordjs-bot.js.
import {
  ActionRowBuilder,
  ApplicationCommandType,
  ButtonBuilder,
  ButtonStyle,
  Client,
  ContextMenuCommandBuilder,
  Events,
  GatewayIntentBits,
  LabelBuilder,
  MessageFlags,
  ModalBuilder,
  SlashCommandBuilder,
  StringSelectMenuBuilder,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';

const url = process.env.CONCORD_URL;
const token = process.env.CONCORD_TOKEN;

function emit(event, data) {
  process.stdout.write(data === undefined ? `INTEROP ${event}\n` : `INTEROP ${event} ${JSON.stringify(data)}\n`);
}

const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: `${url}/api` } });
let failed = false;

async function finish(code) {
  await client.destroy();
  process.exit(code);
}

function fail(error) {
  failed = true;
  emit('error', { message: String(error?.message ?? error), code: error?.code, trace: String(error?.stack ?? '') });
  void finish(1);
}

const commands = [
  new SlashCommandBuilder()
    .setName('echo')
    .setDescription('Repeats a text')
    .addStringOption((o) => o.setName('text').setDescription('What to repeat').setRequired(true).setAutocomplete(true))
    .addIntegerOption((o) =>
      o.setName('count').setDescription('How many times').setRequired(true).setMinValue(1).setMaxValue(3),
    ),
  new ContextMenuCommandBuilder().setName('Inspect').setType(ApplicationCommandType.User),
];

client.once(Events.ClientReady, async (c) => {
  try {
    emit('ready', { id: c.user.id, username: c.user.username, bot: c.user.bot });
    const set = await c.application.commands.set(commands);
    emit('synced', {
      application_id: c.application.id,
      commands: [...set.values()].map((cmd) => ({ id: cmd.id, name: cmd.name, type: cmd.type })),
    });
  } catch (error) {
    fail(error);
  }
});

async function handle(interaction) {
  if (interaction.isAutocomplete()) {
    const focused = interaction.options.getFocused(true);
    emit('autocomplete', {
      via: 'isAutocomplete',
      command: interaction.commandName,
      name: focused.name,
      value: focused.value,
    });
    const choices = ['hi', 'hello', 'hey', 'bye'].filter((w) => w.startsWith(focused.value));
    await interaction.respond(choices.map((w) => ({ name: w, value: w })));
    return;
  }
  if (interaction.isChatInputCommand()) {
    const text = interaction.options.getString('text', true);
    const count = interaction.options.getInteger('count', true);
    emit('command', {
      via: 'isChatInputCommand',
      name: interaction.commandName,
      text,
      count,
      user: interaction.user.id,
    });
    await interaction.reply({
      content: Array(count).fill(text).join(' '),
      components: [
        new ActionRowBuilder().addComponents(
          new ButtonBuilder().setCustomId('open').setLabel('Open').setStyle(ButtonStyle.Primary),
        ),
        new ActionRowBuilder().addComponents(
          new StringSelectMenuBuilder()
            .setCustomId('pick')
            .setPlaceholder('Pick one')
            .addOptions({ label: 'A', value: 'a' }, { label: 'B', value: 'b' }),
        ),
      ],
    });
    emit('replied', { type: 4 });
    return;
  }
  if (interaction.isButton()) {
    emit('button', { via: 'isButton', customId: interaction.customId, message: interaction.message.id });
    await interaction.showModal(
      new ModalBuilder()
        .setCustomId('echo-modal')
        .setTitle('Echo')
        .addLabelComponents(
          new LabelBuilder()
            .setLabel('Text')
            .setTextInputComponent(new TextInputBuilder().setCustomId('text').setStyle(TextInputStyle.Short)),
        ),
    );
    emit('modal-shown');
    return;
  }
  if (interaction.isModalSubmit()) {
    const value = interaction.fields.getTextInputValue('text');
    emit('modal', { via: 'isModalSubmit', customId: interaction.customId, value });
    await interaction.deferReply();
    emit('deferred');
    const edited = await interaction.editReply(`got ${value}`);
    emit('edited', { id: edited.id, content: edited.content });
    const secret = await interaction.followUp({ content: 'secret', flags: MessageFlags.Ephemeral });
    emit('followup', { id: secret.id, content: secret.content, flags: secret.flags.bitfield });
    return;
  }
  if (interaction.isStringSelectMenu()) {
    emit('select', { via: 'isStringSelectMenu', customId: interaction.customId, values: interaction.values });
    await interaction.update({ content: `picked ${interaction.values.join(',')}` });
    emit('updated');
    return;
  }
  if (interaction.isUserContextMenuCommand()) {
    const target = interaction.targetUser;
    emit('inspect', {
      via: 'isUserContextMenuCommand',
      name: interaction.commandName,
      targetId: target.id,
      targetName: target.username,
    });
    await interaction.reply({ content: `Inspect: ${target.username}`, flags: MessageFlags.Ephemeral });
    emit('done');
    await finish(0);
    return;
  }
  emit('unexpected', { type: interaction.type });
}

client.on(Events.InteractionCreate, (interaction) => {
  handle(interaction).catch(fail);
});

const stop = () => void finish(failed ? 1 : 143);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

client.login(token).catch(fail);
