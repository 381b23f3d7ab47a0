// A voice echo bot: main gateway (@concord/gateway-client) → op 4 into the first voice channel → VOICE_STATE_UPDATE
// (our session id) + VOICE_SERVER_UPDATE (token, endpoint) → voice connection (@concord/voice's VoiceClient), then
// every Opus frame heard from someone else is sent back. Start the chat server first (`npm start` at the root).
import { GatewayConnection } from '@concord/gateway-client';
import { VoiceClient } from '@concord/voice';

const rest = process.env.CONCORD_API ?? 'http://127.0.0.1:8080/api/v10';
const token = process.env.BOT_TOKEN ?? 'echo-bot';
// GUILDS | GUILD_VOICE_STATES
const intents = 1 | 128;

const gateway = new GatewayConnection({ rest, token, intents });
let me = '';
let joining = null;
const voiceInfo = { state: null, server: null };

gateway.on('READY', (ready) => {
  me = ready.user.id;
});
gateway.on('GUILD_CREATE', (guild) => {
  const channel = guild.channels.find((c) => c.type === 2);
  if (!channel || joining) return;
  joining = guild.id;
  console.log(`[echo] joining 🔊 ${channel.name} in ${guild.name}`);
  void gateway.updateVoiceState({ guild_id: guild.id, channel_id: channel.id, self_mute: false, self_deaf: false });
});
gateway.on('VOICE_STATE_UPDATE', (state) => {
  if (state.user_id === me && state.channel_id) {
    voiceInfo.state = state;
    void maybeConnect();
  }
});
gateway.on('VOICE_SERVER_UPDATE', (server) => {
  voiceInfo.server = server;
  void maybeConnect();
});

let voice = null;
async function maybeConnect() {
  const { state, server } = voiceInfo;
  if (voice || !state || !server?.endpoint) return;
  voice = new VoiceClient({
    endpoint: server.endpoint,
    token: server.token,
    userId: me,
    sessionId: state.session_id,
    guildId: server.guild_id,
  });
  await voice.connect();
  voice.on('packet', (packet) => {
    if (packet.userId !== me) voice.sendOpus(packet.opus);
  });
  console.log(`[echo] in voice at ${server.endpoint}: everything you say comes back`);
}

const stop = () => {
  voice?.disconnect();
  gateway.destroy();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

await gateway.connect();
