import { Readable } from 'node:stream';
import {
  createAudioPlayer,
  createAudioResource,
  type DiscordGatewayAdapterCreator,
  EndBehaviorType,
  entersState,
  joinVoiceChannel,
  StreamType,
  VoiceConnectionStatus,
} from '@discordjs/voice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { makeSelfSignedCert, waitFor } from './helpers.js';

// @discordjs/voice always dials wss:// with Node's default TLS settings and offers no CA option; this file runs in its
// own worker, and the previous value is restored afterwards, so trusting our throwaway certificate affects nothing else.
const previousRejectUnauthorized = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

const cert = makeSelfSignedCert();
if (!cert) {
  if (process.env.CI === 'true')
    throw new Error('openssl is required for the @discordjs/voice test (apt-get install openssl)');
  console.warn('openssl not found: @discordjs/voice test skipped (apt-get install openssl)');
}
const GUILD = '100000000000000001';
const CHANNEL = '100000000000000002';

describe.skipIf(!cert)('@discordjs/voice against our server', () => {
  let server: VoiceServer;

  beforeAll(async () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    server = await createVoiceServer({ tls: cert!, heartbeatInterval: 5_000 });
  });

  afterAll(async () => {
    await server.close();
    if (previousRejectUnauthorized === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousRejectUnauthorized;
  });

  function adapterFor(userId: string): DiscordGatewayAdapterCreator {
    const sessionId = `djs-session-${userId}`;
    return (methods) => ({
      sendPayload: (payload) => {
        // Play the main gateway's part: op 4 is answered by VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE.
        const { token, endpoint } = server.allocate({ guildId: GUILD, channelId: CHANNEL, userId, sessionId });
        queueMicrotask(() => {
          methods.onVoiceStateUpdate({
            guild_id: GUILD,
            channel_id: (payload as { d: { channel_id: string } }).d.channel_id,
            user_id: userId,
            session_id: sessionId,
            deaf: false,
            mute: false,
            self_deaf: false,
            self_mute: false,
            self_video: false,
            suppress: false,
            request_to_speak_timestamp: null,
          });
          methods.onVoiceServerUpdate({ token, guild_id: GUILD, endpoint });
        });
        return true;
      },
      destroy: () => {},
    });
  }

  it('joins through the adapter and receives the Opus packets our client sends', async () => {
    const sender = new VoiceClient({
      ...server.allocate({ guildId: GUILD, channelId: CHANNEL, userId: 'sender', sessionId: 'sender-session' }),
      sessionId: 'sender-session',
      userId: 'sender',
      guildId: GUILD,
      secure: true,
      tls: { ca: cert!.cert },
    });
    await sender.connect();

    const connection = joinVoiceChannel({
      guildId: GUILD,
      channelId: CHANNEL,
      selfDeaf: false,
      adapterCreator: adapterFor('djs-user'),
    });
    try {
      await entersState(connection, VoiceConnectionStatus.Ready, 8_000);
      expect(
        server
          .members(GUILD, CHANNEL)
          .map((m) => m.userId)
          .sort(),
      ).toEqual(['djs-user', 'sender']);
      const djsMember = server.members(GUILD, CHANNEL).find((m) => m.userId === 'djs-user')!;
      expect(djsMember.mode).toBe('aead_aes256_gcm_rtpsize');

      const stream = connection.receiver.subscribe('sender', { end: { behavior: EndBehaviorType.Manual } });
      const got: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => got.push(chunk));
      const sent = Array.from({ length: 30 }, (_, i) =>
        Buffer.from([0xfc, i, ...Array.from({ length: 40 }, (_, j) => (i * 7 + j) & 0xff)]),
      );
      for (const frame of sent) sender.sendOpus(frame);
      await waitFor(() => got.length >= sent.length, 5000, 'packets at @discordjs/voice');
      expect(got).toEqual(sent);

      // And the other way: @discordjs/voice's AudioPlayer (AES-GCM, its own nonce counter) to our client.
      const heard: Buffer[] = [];
      sender.on('packet', (p) => {
        if (p.userId === 'djs-user') heard.push(p.opus);
      });
      const played = Array.from({ length: 8 }, (_, i) => Buffer.from([0xfc, 0xff, i, 1, 2, 3]));
      const player = createAudioPlayer();
      connection.subscribe(player);
      player.play(createAudioResource(Readable.from(played), { inputType: StreamType.Opus }));
      await waitFor(() => heard.length >= played.length, 5000, 'packets from @discordjs/voice');
      expect(heard.slice(0, played.length)).toEqual(played);
      player.stop(true);
    } finally {
      connection.destroy();
      sender.disconnect();
    }
  });
});
