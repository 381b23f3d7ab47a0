import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BrokerListener, BrokerMessage, DispatchTarget } from '../src/Broker.js';
import { decodeBrokerMessage, encodeBrokerMessage } from '../src/brokers/brokerCodec.js';
import { TopicListeners } from '../src/brokers/TopicListeners.js';
import { GatewayServerError } from '../src/GatewayServerError.js';

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

function decodeOrError(text: string): BrokerMessage | GatewayServerError {
  try {
    return decodeBrokerMessage(text);
  } catch (error) {
    if (error instanceof GatewayServerError && error.code === 'INVALID_BROKER_MESSAGE') return error;
    throw error;
  }
}

describe('broker wire format', () => {
  it('round-trips every dispatch', () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(decodeBrokerMessage(encodeBrokerMessage(m))).toEqual(m);
      }),
    );
  });

  it('gives a typed error, never a crash, on random and truncated input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        decodeOrError(text);
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        decodeOrError(JSON.stringify(value) ?? 'null');
      }),
    );
    fc.assert(
      fc.property(message, fc.nat(), (m, cut) => {
        const text = encodeBrokerMessage(m);
        const result = decodeOrError(text.slice(0, cut % text.length));
        expect(result).toBeInstanceOf(GatewayServerError);
      }),
    );
  });

  it('rejects well-formed JSON of the wrong shape', () => {
    for (const text of [
      '[2,"X",null,{"type":"guild","guildId":"1"},0,null]',
      '[1,"",null,{"type":"guild","guildId":"1"},0,null]',
      '[1,"X",-1,{"type":"guild","guildId":"1"},0,null]',
      '[1,"X",null,{"type":"guild"},0,null]',
      '[1,"X",null,{"type":"users","userIds":[1]},0,null]',
      '[1,"X",null,{"type":"channel","guildId":"1"},0,null]',
      '[1,"X",null,[],0,null]',
      '[1,"X",null,{"type":"guild","guildId":"1"},"0",null]',
      '{"0":1}',
    ]) {
      expect(decodeOrError(text), text).toBeInstanceOf(GatewayServerError);
    }
  });
});

describe('TopicListeners', () => {
  it('asks for a bus subscription on the first listener of a topic and its removal on the last', () => {
    const topics = new TopicListeners();
    const a: BrokerListener = () => undefined;
    const b: BrokerListener = () => undefined;
    expect(topics.add('guild:1', a)).toBe(true);
    expect(topics.add('guild:1', b)).toBe(false);
    expect(topics.remove('guild:1', a)).toBe(false);
    expect(topics.remove('guild:1', b)).toBe(true);
    expect(topics.remove('guild:1', b)).toBe(false);
    expect(topics.topics()).toEqual([]);
  });

  it('isolates a throwing listener from the others', () => {
    const topics = new TopicListeners();
    const seen: string[] = [];
    const errors: unknown[] = [];
    topics.add('t', () => {
      throw new Error('boom');
    });
    topics.add('t', (m) => seen.push(m.event));
    topics.deliver(
      't',
      { event: 'E', data: null, intent: null, target: { type: 'guild', guildId: '1' }, createdAt: 0 },
      (e) => errors.push(e),
    );
    expect(seen).toEqual(['E']);
    expect(errors).toHaveLength(1);
  });
});
