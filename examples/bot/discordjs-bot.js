// A plain discord.js bot. The one Concord-specific line is `rest.api`: discord.js finds the gateway through
// GET /gateway/bot there. Start the chat server first (`npm start` at the repository root).
import { Client, Events, GatewayIntentBits } from 'discord.js';

const api = process.env.CONCORD_API ?? 'http://127.0.0.1:8080/api';
const token = process.env.BOT_TOKEN ?? 'ping-bot'; // dev auth: any token works and names the bot

const client = new Client({
  intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
  rest: { api },
});

client.once(Events.ClientReady, (c) => {
  console.log(`[bot] logged in as ${c.user.username} in ${c.guilds.cache.map((g) => g.name).join(', ')}`);
});

client.on(Events.MessageCreate, async (message) => {
  if (message.author.bot) return;
  if (message.content === '!ping') await message.reply('pong');
  else if (message.content.startsWith('!echo ')) await message.channel.send(message.content.slice(6));
});

const stop = () => {
  void client.destroy().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

await client.login(token);
