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
    // Anyone can send datagrams to a client's port: 200 forged RTP packets, each with a new SSRC.
    const onUdp = (listener as unknown as { onUdp(msg: Buffer): void }).onUdp.bind(listener);
    const receivers = (listener as unknown as { receivers: Map<number, unknown> }).receivers;
    for (let i = 0; i < 200; i++) {
      const forged = randomBytes(60);
      forged[0] = 0x80;
      forged[1] = 0x78;
      forged.writeUInt32BE(0x10000 + i, 8);
      onUdp(forged);
    }
    expect(receivers.size).toBe(0);
    expect(listener.dropped).toBe(200);
    // A real speaker is still heard.
    const got: Buffer[] = [];
    listener.on('packet', (p) => got.push(p.opus));
    speaker.sendOpus(Buffer.from([0xfc, 1, 2]));
    await waitFor(() => got.length === 1, 3000, 'real packet');
    expect(receivers.size).toBe(1);
    listener.disconnect();
    speaker.disconnect();
  });
});
