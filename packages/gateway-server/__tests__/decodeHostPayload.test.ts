import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BrokerMessage, DispatchTarget } from '../src/Broker.js';
import {
  decodeBrokerPayload,
  encodeBrokerMessage,
  encodeBrokerPayload,
  splicedBody,
} from '../src/brokers/brokerCodec.js';
import { GatewayServerError } from '../src/GatewayServerError.js';
import { decodeHostPayload } from '../src/host/decodeHostPayload.js';

const id = fc.stringMatching(/^[0-9]{1,20}$/);
const target: fc.Arbitrary<DispatchTarget> = fc.oneof(
  fc.record({ type: fc.constant('guild' as const), guildId: id }),
  fc.record({ type: fc.constant('channel' as const), guildId: id, channelId: id }),
  fc.record({ type: fc.constant('session' as const), sessionId: fc.stringMatching(/^[0-9a-f]{32}$/) }),
  fc.record({ type: fc.constant('users' as const), userIds: fc.array(id, { maxLength: 5 }), guildId: id }),
);
const message: fc.Arbitrary<BrokerMessage> = fc.record({
  event: fc.stringMatching(/^[A-Z_]{1,40}$/),
  data: fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown),
  intent: fc.option(fc.integer({ min: 0, max: 1 << 25 }), { nil: null }),
  target,
  createdAt: fc.integer({ min: 0, max: 2 ** 45 }),
});

const plain = (m: BrokerMessage) => ({ ...m, body: splicedBody(m)?.toString('utf8') });

describe('decodeHostPayload (frames a sibling process encoded)', () => {
  it('decodes what the host codec encodes exactly as the bus decoder does, into its own copy', () => {
    fc.assert(
      fc.property(message, fc.boolean(), (m, asText) => {
        const payload = asText ? Buffer.from(encodeBrokerMessage(m)) : encodeBrokerPayload(m);
        const fast = decodeHostPayload('guild:1', payload);
        expect(plain(fast)).toEqual(plain(decodeBrokerPayload('guild:1', payload)));
        // Not a view into the link's buffer: overwriting it leaves the message as it was.
        const before = splicedBody(fast)?.toString('utf8');
        payload.fill(0x20);
        expect(splicedBody(fast)?.toString('utf8')).toBe(before);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses what the bus decoder refuses in the header (v1, stream ids and bad routing go the full way)', () => {
    const bad = [
      '[2,"",1,{"type":"guild","guildId":"1"},0]\nnull',
      '[2,"E",-1,{"type":"guild","guildId":"1"},0]\nnull',
      '[2,"E",1,{"type":"nowhere"},0]\nnull',
      '[3,"E",1,{"type":"guild","guildId":"1"},0]\nnull',
      '[2,"E",1,{"type":"guild","guildId":"1"}\nnull',
      '[1,"E",1,{"type":"guild","guildId":"1"},0,{"a":1}',
      'nope',
    ];
    for (const text of bad) {
      expect(() => decodeHostPayload('guild:1', Buffer.from(text))).toThrow(GatewayServerError);
    }
    const v1 = decodeHostPayload('guild:1', Buffer.from('[1,"E",1,{"type":"guild","guildId":"1"},0,{"a":1}]'));
    expect(v1.data).toEqual({ a: 1 });
  });

  it('fails hostile bytes only with INVALID_BROKER_MESSAGE, in time linear in their size', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }),
          fc
            .tuple(fc.json({ maxDepth: 3 }), fc.uint8Array({ maxLength: 200 }))
            .map(([head, rest]) => Buffer.concat([Buffer.from(`${head}\n`), rest])),
        ),
        (bytes) => {
          try {
            decodeHostPayload('guild:1', Buffer.from(bytes));
          } catch (error) {
            expect(error).toBeInstanceOf(GatewayServerError);
            expect((error as GatewayServerError).code).toBe('INVALID_BROKER_MESSAGE');
          }
        },
      ),
      { numRuns: 500, interruptAfterTimeLimit: 10_000 },
    );
  });

  it('sends a header longer than its fast-path bound, or a message past 1 MiB, through the full decoder', () => {
    const users = Array.from({ length: 400 }, (_, i) => String(1e15 + i));
    const long: BrokerMessage = {
      event: 'E',
      data: { n: 1 },
      intent: null,
      target: { type: 'users', userIds: users, guildId: '1' },
      createdAt: 0,
    };
    expect(plain(decodeHostPayload('user:1', encodeBrokerPayload(long)))).toEqual(
      plain(decodeBrokerPayload('user:1', encodeBrokerPayload(long))),
    );
    const big = encodeBrokerPayload({ ...long, target: { type: 'guild', guildId: '1' }, data: 'x'.repeat(2 << 20) });
    expect(decodeHostPayload('guild:1', big).data).toHaveLength(2 << 20);
    // The full decoder scans the body: a broken one past the fast path's bound is refused.
    const broken = Buffer.concat([big.subarray(0, big.length - 1), Buffer.from('}')]);
    expect(() => decodeHostPayload('guild:1', broken)).toThrow(GatewayServerError);
  });
});
