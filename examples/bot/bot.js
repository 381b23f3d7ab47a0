// A bot on Concord's own gateway client: commands, replies, and a member-list request. Start the chat server first
// (`npm start` at the repository root). Replies go through the chat server's Discord-compatible REST API.
import { GatewayConnection, GatewayIntentBits } from '@concord/gateway-client';

const api = process.env.CONCORD_API ?? 'http://127.0.0.1:8080/api';
const token = process.env.BOT_TOKEN ?? 'ping-bot'; // dev auth: any token works and names the bot
const headers = { Authorization: `Bot ${token}`, 'Content-Type': 'application/json' };

async function send(channelId, body) {
  const res = await fetch(`${api}/v10/channels/${channelId}/messages`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  if (!res.ok) console.error(`[bot] POST failed: ${res.status} ${await res.text()}`);
}

const client = new GatewayConnection({
  rest: `${api}/v10`, // GET /gateway/bot finds the gateway, as Discord bots do
  token,
  intents:
    GatewayIntentBits.Guilds |
    GatewayIntentBits.GuildMembers |
    GatewayIntentBits.GuildMessages |
    GatewayIntentBits.MessageContent,
});

const guildNames = new Map();
client.on('GUILD_CREATE', (guild) => guildNames.set(guild.id, guild.name));
client.on('MESSAGE_CREATE', async (message) => {
  if (message.author.bot) return;
  const reply = (content) =>
    send(message.channel_id, {
      content,
      message_reference: { message_id: message.id, channel_id: message.channel_id },
    });
  if (message.content === '!ping') await reply('pong');
  else if (message.content.startsWith('!echo ')) await send(message.channel_id, { content: message.content.slice(6) });
  else if (message.content === '!members' && message.guild_id) {
    // op 8: every GUILD_MEMBERS_CHUNK for this request is gathered into one answer by its nonce.
    const { members } = await client.requestGuildMembers({ guild_id: message.guild_id, query: '', limit: 0 });
    const names = members.map((m) => m.user.username).sort();
    await reply(`${names.length} members: ${names.join(', ')}`);
  }
});

const ready = new Promise((resolve) => client.once('ready', resolve));
await client.connect();
const me = (await ready)?.user ?? { username: token };
// GUILD_CREATE follows READY: give the guilds a moment to arrive before saying where we are.
setTimeout(() => console.log(`[bot] logged in as ${me.username} in ${[...guildNames.values()].join(', ')}`), 200);

const stop = () => {
  client.destroy();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
