import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import { VoiceOpcode } from '../src/server/opcodes.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { RawVoiceSocket, waitFor } from './helpers.js';

let server: VoiceServer;
const errors: Error[] = [];

beforeAll(async () => {
  server = await createVoiceServer({ heartbeatInterval: 10_000 });
  server.on('error', (e) => errors.push(e));
});

afterAll(async () => {
  await server.close();
});

const ALLOWED_CLOSES = new Set([4001, 4002, 4003, 4004, 4005, 4006, 4012, 4016, 4020, 4021]);

describe('voice gateway under random payloads', () => {
  it('answers or closes with a protocol close code, never crashes or errors', async () => {
    const payload = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.record({ op: fc.integer({ min: -1, max: 16 }), d: fc.jsonValue() }).map((p) => JSON.stringify(p) ?? 'null'),
      fc
        .record({
          protocol: fc.constantFrom('udp', 'webrtc', 5),
          data: fc.record({
            address: fc.oneof(fc.constant('127.0.0.1'), fc.jsonValue()),
            port: fc.oneof(fc.integer({ min: -5, max: 70000 }), fc.jsonValue()),
            mode: fc.oneof(fc.constantFrom('aead_aes256_gcm_rtpsize', 'xsalsa20_poly1305', 'nope'), fc.jsonValue()),
          }),
        })
        .map((d) => JSON.stringify({ op: 1, d })),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(payload, fc.boolean(), async (text, identify) => {
        const socket = await RawVoiceSocket.open(`ws://127.0.0.1:${server.address().port}/?v=4`);
        await socket.next(VoiceOpcode.Hello);
        if (identify) {
          const userId = `fuzz${++n}`;
          const { token } = server.allocate({ guildId: 'g', channelId: 'c', userId, sessionId: 's' });
          socket.send(VoiceOpcode.Identify, { server_id: 'g', user_id: userId, session_id: 's', token });
          await socket.next(VoiceOpcode.Ready);
        }
        socket.ws.send(text);
        const nonce = 1_000_000 + n++;
        socket.send(VoiceOpcode.Heartbeat, nonce);
        await waitFor(
          () =>
            socket.closeCode !== null ||
            socket.messages.some((m) => m.op === VoiceOpcode.HeartbeatAck && m.d === nonce),
          5000,
          'ack or close',
        );
        if (socket.closeCode !== null) expect(ALLOWED_CLOSES).toContain(socket.closeCode);
        else socket.close();
      }),
      { numRuns: 40 },
    );
    expect(errors).toEqual([]);
    // Still serving.
    const { token, endpoint } = server.allocate({ guildId: 'g', channelId: 'after', userId: 'ok', sessionId: 's' });
    const client = new VoiceClient({ endpoint, token, sessionId: 's', userId: 'ok', guildId: 'g' });
    await client.connect();
    client.disconnect();
  });
});
