import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { waitFor } from './helpers.js';

let server: VoiceServer;

beforeAll(async () => {
  server = await createVoiceServer({ heartbeatInterval: 5_000 });
});

afterAll(async () => {
  await server.close();
});

function join(userId: string): VoiceClient {
  const { token, endpoint } = server.allocate({ guildId: 'g', channelId: 'rx', userId, sessionId: userId });
  return new VoiceClient({ endpoint, token, sessionId: userId, userId, guildId: 'g', rtcpInterval: 0 });
}

describe('VoiceClient receive contexts', () => {
  it('creates a per-SSRC context only for packets that authenticate, so spoofed datagrams cannot use up the bound', async () => {
    const listener = join('rx-listener');
    const speaker = join('rx-speaker');
    await listener.connect();
    await speaker.connect();
    const state = listener.state;
    if (state.code !== 'ready') throw new Error(`listener is ${state.code}`);
    // Anyone can send datagrams to a client's port: 200 forged RTP packets, each with a new SSRC (handed to the
    // socket's message handler directly: loopback UDP could drop some, and the count must be exact).
    for (let i = 0; i < 200; i++) {
      const forged = randomBytes(60);
      forged[0] = 0x80;
      forged[1] = 0x78;
      forged.writeUInt32BE(0x10000 + i, 8);
      state.udp.socket.emit('message', forged, { address: '127.0.0.1', family: 'IPv4', port: 1, size: 60 });
    }
    expect(state.media.receiverCount).toBe(0);
    expect(listener.dropped).toBe(200);
    // A real speaker is still heard.
    const got: Buffer[] = [];
    listener.on('packet', (p) => got.push(p.opus));
    speaker.sendOpus(Buffer.from([0xfc, 1, 2]));
    await waitFor(() => got.length === 1, 3000, 'real packet');
    expect(state.media.receiverCount).toBe(1);
    listener.disconnect();
    speaker.disconnect();
  });
});
