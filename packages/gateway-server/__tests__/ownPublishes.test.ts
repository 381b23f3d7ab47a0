import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BrokerMessage, DispatchTarget } from '../src/Broker.js';
import { decodeBrokerMessage, encodeBrokerPayload, ownCopy, splicedBody } from '../src/brokers/brokerCodec.js';
import { OwnPublishes } from '../src/brokers/OwnPublishes.js';

const id = fc.stringMatching(/^[0-9]{1,20}$/);
const target: fc.Arbitrary<DispatchTarget> = fc.oneof(
  fc.record({ type: fc.constant('guild' as const), guildId: id }),
  fc.record({ type: fc.constant('channel' as const), guildId: id, channelId: id }),
  fc.record({ type: fc.constant('session' as const), sessionId: fc.stringMatching(/^[0-9a-f]{32}$/) }),
  fc.record({ type: fc.constant('users' as const), userIds: fc.array(id, { maxLength: 5 }) }),
  fc.record({ type: fc.constant('users' as const), userIds: fc.array(id, { maxLength: 5 }), guildId: id }),
);
const message: fc.Arbitrary<BrokerMessage> = fc.record({
  event: fc.stringMatching(/^[A-Z_]{1,40}$/),
  data: fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown),
  intent: fc.option(fc.integer({ min: 0, max: 1 << 25 }), { nil: null }),
  target,
  createdAt: fc.integer({ min: 0, max: 2 ** 45 }),
});

const guild = (n: number, data: unknown = { n }): BrokerMessage => ({
  event: 'MESSAGE_CREATE',
  data,
  intent: 1 << 9,
  target: { type: 'guild', guildId: '1' },
  createdAt: 1_700_000_000_000 + n,
});

/** A message as the bus brings it back, optionally after a Redis stream id (`<id> `). */
function echo(m: BrokerMessage, streamId?: string): { bytes: Buffer; start: number } {
  const payload = encodeBrokerPayload(m);
  if (streamId === undefined) return { bytes: Buffer.from(payload), start: 0 };
  return { bytes: Buffer.concat([Buffer.from(`${streamId} `), payload]), start: streamId.length + 1 };
}

describe('ownCopy', () => {
  it('is the message decoding its payload gives: same fields, same spliced body', () => {
    fc.assert(
      fc.property(message, (m) => {
        const payload = encodeBrokerPayload(m);
        const decoded = decodeBrokerMessage(payload);
        const copy = ownCopy(m, payload)!;
        expect(copy).toEqual(decoded);
        expect(Object.keys(copy)).toEqual(Object.keys(decoded));
        expect(splicedBody(copy)).toEqual(splicedBody(decoded));
      }),
    );
  });

  it('is null for what decoding refuses, so it is dropped here as on every other node', () => {
    const bad: BrokerMessage[] = [
      { ...guild(1), event: 'X'.repeat(129) },
      { ...guild(1), intent: 1.5 },
      { ...guild(1), target: { type: 'guild', guildId: '' } },
      { ...guild(1), createdAt: Number.NaN },
    ];
    for (const m of bad) {
      const payload = encodeBrokerPayload(m);
      expect(() => decodeBrokerMessage(payload)).toThrow();
      expect(ownCopy(m, payload)).toBeNull();
    }
  });
});

describe('OwnPublishes', () => {
  it('recognises this node’s messages by their bytes, in publish order, after a stream id or none', () => {
    const own = new OwnPublishes();
    const [a, b] = [guild(1), guild(2)];
    const copyA = ownCopy(a, encodeBrokerPayload(a))!;
    const copyB = ownCopy(b, encodeBrokerPayload(b))!;
    own.add('guild:1', encodeBrokerPayload(a), copyA);
    own.add('guild:1', encodeBrokerPayload(b), copyB);
    // Another node's message on the topic is not ours: decoded as usual.
    const other = echo(guild(3), '5-0');
    expect(own.take('guild:1', other.bytes, other.start)).toBeNull();
    // Nor is ours on another topic.
    expect(own.take('guild:2', echo(a).bytes, 0)).toBeNull();
    const first = echo(a, '6-0');
    expect(own.take('guild:1', first.bytes, first.start)).toBe(copyA);
    expect(own.take('guild:1', echo(b).bytes, 0)).toBe(copyB);
    // Each is taken once: a second copy of the same bytes is somebody else's.
    expect(own.take('guild:1', echo(b).bytes, 0)).toBeNull();
  });

  it('forgets messages whose echo will not come once a later one of the topic comes back', () => {
    const own = new OwnPublishes();
    const messages = [guild(1), guild(2), guild(3)];
    const copies = messages.map((m) => ownCopy(m, encodeBrokerPayload(m))!);
    for (const [i, m] of messages.entries()) own.add('guild:1', encodeBrokerPayload(m), copies[i]!);
    // The first one was lost (a dropped connection, a subscription not yet in effect).
    expect(own.take('guild:1', echo(messages[1]!).bytes, 0)).toBe(copies[1]);
    expect(own.take('guild:1', echo(messages[0]!).bytes, 0)).toBeNull();
    expect(own.take('guild:1', echo(messages[2]!).bytes, 0)).toBe(copies[2]);
  });

  it('keeps a bounded number per topic, and nothing for a topic forgotten', () => {
    const own = new OwnPublishes();
    const messages = Array.from({ length: 300 }, (_, n) => guild(n));
    for (const m of messages) own.add('guild:1', encodeBrokerPayload(m), ownCopy(m, encodeBrokerPayload(m))!);
    // The oldest ones were dropped past the bound; the newest are still recognised.
    expect(own.take('guild:1', echo(messages[0]!).bytes, 0)).toBeNull();
    expect(own.take('guild:1', echo(messages[299]!).bytes, 0)).not.toBeNull();
    own.add('guild:2', encodeBrokerPayload(messages[0]!), ownCopy(messages[0]!, encodeBrokerPayload(messages[0]!))!);
    own.forget('guild:2');
    expect(own.take('guild:2', echo(messages[0]!).bytes, 0)).toBeNull();
  });
});
