// Eris text round trip over ETF (erlpack): READY + GUILD_CREATE into Eris' models, post ping-<lib>, see messageCreate
// fire for it, reply through REST, exit 0. Prints INTEROP lines for interop/__tests__/eris.test.ts.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { connect } from 'node:net';
import { Client } from 'eris';

const { CONCORD_PORT, CONCORD_TOKEN, CONCORD_GUILD_ID, CONCORD_CHANNEL_ID, INTEROP_LIB = 'eris' } = process.env;
const port = Number(CONCORD_PORT);

const emit = (event, data) =>
  console.log(data === undefined ? `INTEROP ${event}` : `INTEROP ${event} ${JSON.stringify(data)}`);

// Eris always speaks https:// to `rest.domain` on the default port, and opens the gateway URL that GET /gateway/bot
// returns. Its documented `rest.agent` and `ws.agent` options take a Node Agent (as for a proxy): these two open a plain
// TCP connection to the server's port instead (Agent#createConnection is Node's hook for that). Nothing in Eris changes.
const toServer = () => connect({ host: '127.0.0.1', port });
class PlainHttpsAgent extends HttpsAgent {
  createConnection() {
    return toServer();
  }
}
class PortHttpAgent extends HttpAgent {
  createConnection() {
    return toServer();
  }
}

const client = new Client(`Bot ${CONCORD_TOKEN}`, {
  intents: ['guilds', 'guildMessages', 'messageContent'],
  rest: { domain: '127.0.0.1', agent: new PlainHttpsAgent({ keepAlive: false }) },
  ws: { agent: new PortHttpAgent() },
  compress: process.env.ERIS_COMPRESS === 'zlib-stream',
  restMode: true,
});

let pingId;
const fail = (err) => {
  emit('error', { message: String(err?.stack ?? err) });
  client.disconnect({ reconnect: false });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 200);
};

// Any error Eris reports (an undecodable frame, a model that fails to parse) ends the run with it: Eris would otherwise
// reconnect forever and the harness would only see a timeout.
client.on('error', (err) => fail(err));
client.on('warn', (msg) => console.error('[eris warn]', msg));
client.on('debug', (msg) => {
  if (process.env.ERIS_DEBUG) console.error('[eris debug]', msg);
});
client.on('shardDisconnect', (err, id) => console.error('[eris shardDisconnect]', id, err?.message ?? err));

client.once('ready', async () => {
  try {
    emit('ready', { id: client.user.id, username: client.user.username, bot: client.user.bot });
    const guild = client.guilds.get(CONCORD_GUILD_ID);
    if (!guild) throw new Error(`guild ${CONCORD_GUILD_ID} not in cache: ${client.guilds.map((g) => g.id)}`);
    emit('guild', {
      id: guild.id,
      name: guild.name,
      channels: guild.channels.map((c) => c.name),
      members: guild.memberCount,
      roles: guild.roles.map((r) => r.name),
    });
    const ping = await client.createMessage(CONCORD_CHANNEL_ID, `ping-${INTEROP_LIB}`);
    pingId = ping.id;
    emit('sent', { id: ping.id, content: ping.content });
    stepDone();
  } catch (err) {
    fail(err);
  }
});

// Eris runs handlers concurrently: the ping's messageCreate can be handled (and replied to) before the POST that sent it
// has returned. The bot is done when both have happened, in either order.
let steps = 0;
function stepDone() {
  if (++steps < 2) return;
  emit('done');
  client.disconnect({ reconnect: false });
  setTimeout(() => process.exit(0), 100);
}

client.on('messageCreate', async (message) => {
  if (message.author.id !== client.user.id || message.content !== `ping-${INTEROP_LIB}`) return;
  try {
    emit('message', { id: message.id, content: message.content, author_id: message.author.id, pingId });
    const reply = await client.createMessage(message.channel.id, {
      content: `pong-${INTEROP_LIB}`,
      messageReference: { messageID: message.id },
    });
    emit('replied', { id: reply.id, reference: reply.messageReference?.messageID });
    stepDone();
  } catch (err) {
    fail(err);
  }
});

client
  .connect()
  .then(() => emit('gateway', { url: client.gatewayURL }))
  .catch(fail);
