import { VoiceOpcode } from '@concord/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { budgetFor } from './budget.js';
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

/** JSON nested `depth` deep (arrays or objects), the shape that costs recursive decoders and encoders the most. */
const deep = fc
  .tuple(fc.integer({ min: 1, max: 2040 }), fc.boolean())
  .map(([depth, objects]) =>
    objects ? `${'{"a":'.repeat(depth / 5)}1${'}'.repeat(depth / 5)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`,
  );

/** Values that have broken JSON handlers elsewhere: huge or odd numbers, prototype keys, long strings, deep nesting. */
const hostile = fc.oneof(
  fc.constantFrom(1e308, -0, 2 ** 53 + 1, -1, 0xffffffff, 1.5),
  fc.constantFrom('__proto__', 'constructor', 'toString', ''),
  fc.string({ minLength: 1000, maxLength: 3900 }),
  fc.jsonValue({ maxDepth: 8 }),
);
const withProto = fc
  .tuple(fc.integer({ min: 0, max: 7 }), fc.jsonValue())
  .map(([op, d]) => `{"op":${op},"d":{"__proto__":${JSON.stringify(d) ?? 'null'},"server_id":"g"}}`);

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
      // Select Protocol addresses: host names (never resolved), lookalikes, oversized, IPv6.
      fc
        .constantFrom(
          'localhost',
          'example.invalid',
          '127.1',
          '0x7f.1',
          '::ffff:127.0.0.1',
          '1.2.3.4 ',
          'a'.repeat(3000),
        )
        .map((address) =>
          JSON.stringify({ op: 1, d: { protocol: 'udp', data: { address, port: 1, mode: 'xsalsa20_poly1305' } } }),
        ),
      fc
        .record({ op: fc.constantFrom(0, 3, 5, 7), d: fc.dictionary(fc.string({ maxLength: 12 }), hostile) })
        .map((p) => JSON.stringify(p)),
      deep.map((d) => `{"op":3,"d":${d}}`),
      deep,
      withProto,
      // Over the 4096-byte limit: 4002 before any parsing.
      fc.integer({ min: 4097, max: 20_000 }).map((n) => `{"op":3,"d":"${'x'.repeat(n)}"}`),
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
        // The cost of handling it (this process hosts the server): CPU and heap from send to answer, against the
        // budget of the frame's size. Generous orders of magnitude, not a speed test.
        const cpu = process.cpuUsage();
        const heap = process.memoryUsage().heapUsed;
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
        const used = process.cpuUsage(cpu);
        const budget = budgetFor(Buffer.byteLength(text));
        expect((used.user + used.system) / 1000).toBeLessThan(budget.ms);
        expect(process.memoryUsage().heapUsed - heap).toBeLessThan(budget.bytes);
        if (socket.closeCode !== null) expect(ALLOWED_CLOSES).toContain(socket.closeCode);
        else socket.close();
        if (Buffer.byteLength(text) > 4096) expect(socket.closeCode).toBe(4002);
      }),
      { numRuns: 80 },
    );
    expect(errors).toEqual([]);
    // Nothing accumulates: every fuzz connection is gone once closed.
    await waitFor(() => server.stats.connections === 0, 5000, 'connections released');
    // Still serving.
    const { token, endpoint } = server.allocate({ guildId: 'g', channelId: 'after', userId: 'ok', sessionId: 's' });
    const client = new VoiceClient({ endpoint, token, sessionId: 's', userId: 'ok', guildId: 'g' });
    await client.connect();
    client.disconnect();
  });
});
