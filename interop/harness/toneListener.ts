import { VoiceClient } from '@concord/voice';
import { RawGateway } from '../../examples/chat-server/__tests__/rawGateway.js';
import type { RunningServer } from '../../examples/chat-server/__tests__/startServer.js';
import { GENERAL_VOICE_ID, LOBBY_ID } from '../../examples/chat-server/src/createChatServer.js';

export interface HeardTone {
  /** Decoded 20 ms frames received from the speaker. */
  frames: number;
  /** Frequency estimated from zero crossings of the left channel, Hz. */
  hz: number;
  /** RMS of the left channel, 0..1. */
  rms: number;
  speakerId: string | null;
}

/**
 * A listener in the voice channel made of our own parts (raw gateway + @concord/voice's VoiceClient): joins before the
 * library under test, decodes whatever the first other speaker sends, and tells what it heard.
 */
export class ToneListener {
  #gateway: RawGateway | undefined;
  #client: VoiceClient | undefined;
  #samples: number[] = [];
  #frames = 0;
  #speakerId: string | null = null;

  /** `ca`: the PEM the server's voice gateway uses (VOICE_TLS_CERT), when it speaks wss:// as Discord's does. */
  async join(server: RunningServer, ca?: string): Promise<void> {
    const gw = await RawGateway.identify(server.port, 'interop-listener');
    this.#gateway = gw;
    const ready = (await gw.waitFor('READY')).d;
    gw.ws.send(
      JSON.stringify({
        op: 4,
        d: { guild_id: LOBBY_ID, channel_id: GENERAL_VOICE_ID, self_mute: true, self_deaf: false },
      }),
    );
    const state = await gw.waitFor('VOICE_STATE_UPDATE', (d) => d.user_id === ready.user.id);
    const vsu = (await gw.waitFor('VOICE_SERVER_UPDATE')).d;
    const client = new VoiceClient({
      endpoint: vsu.endpoint,
      token: vsu.token,
      userId: ready.user.id,
      sessionId: state.d.session_id,
      guildId: LOBBY_ID,
      ...(ca ? { secure: true, tls: { ca } } : {}),
    });
    this.#client = client;
    client.on('error', () => {});
    const subscribed = new Set<string>();
    client.on('speaking', ({ userId }) => {
      if (userId === ready.user.id || subscribed.has(userId)) return;
      subscribed.add(userId);
      this.#speakerId = userId;
      client.subscribe(userId, { jitter: false, decode: true }).on('data', (frame: { pcm?: Int16Array }) => {
        if (!frame.pcm) return;
        this.#frames++;
        for (let i = 0; i < frame.pcm.length; i += 2) this.#samples.push(frame.pcm[i]! / 32768);
      });
    });
    await client.connect();
  }

  heard(): HeardTone {
    const s = this.#samples;
    let crossings = 0;
    let energy = 0;
    for (let i = 0; i < s.length; i++) {
      energy += s[i]! * s[i]!;
      if (i > 0 && s[i - 1]! < 0 !== s[i]! < 0) crossings++;
    }
    const seconds = s.length / 48_000;
    return {
      frames: this.#frames,
      hz: seconds > 0 ? crossings / 2 / seconds : 0,
      rms: s.length > 0 ? Math.sqrt(energy / s.length) : 0,
      speakerId: this.#speakerId,
    };
  }

  close(): void {
    this.#client?.disconnect();
    this.#gateway?.close();
  }
}
