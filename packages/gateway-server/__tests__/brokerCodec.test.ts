import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BrokerListener, BrokerMessage, DispatchTarget } from '../src/Broker.js';
import {
  decodeBrokerMessage,
  decodeBrokerPayload,
  encodeBrokerMessage,
  encodeBrokerPayload,
  splicedBody,
} from '../src/brokers/brokerCodec.js';
import { isJsonText } from '../src/brokers/isJsonText.js';
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

/** The message's fields as plain data (a decoded v2 message also carries its body bytes and a lazy `data`). */
const fields = (m: BrokerMessage) => ({
  event: m.event,
  data: m.data,
  intent: m.intent,
  target: m.target,
  createdAt: m.createdAt,
  ...(m.position ? { position: m.position } : {}),
});

function decodeOrError(text: string | Uint8Array): BrokerMessage | GatewayServerError {
  try {
    return decodeBrokerMessage(text);
  } catch (error) {
    if (error instanceof GatewayServerError && error.code === 'INVALID_BROKER_MESSAGE') return error;
    throw error;
  }
}

describe('broker wire format', () => {
  it('round-trips every dispatch, in both versions, as text and as bytes', () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(fields(decodeBrokerMessage(encodeBrokerMessage(m)))).toEqual(m);
        expect(fields(decodeBrokerMessage(encodeBrokerMessage(m, 1)))).toEqual(m);
        expect(fields(decodeBrokerMessage(encodeBrokerPayload(m)))).toEqual(m);
        expect(fields(decodeBrokerMessage(new Uint8Array(encodeBrokerPayload(m))))).toEqual(m);
      }),
      { numRuns: 300 },
    );
  });

  it('v2 carries the payload as the JSON frames carry it, parsed only when read', () => {
    const m: BrokerMessage = {
      event: 'MESSAGE_CREATE',
      data: { id: 1n, content: 'hé\n"x"' },
      intent: 512,
      target: { type: 'guild', guildId: '1' },
      createdAt: 5,
    };
    const decoded = decodeBrokerMessage(encodeBrokerPayload(m));
    expect(splicedBody(decoded)?.toString()).toBe('{"id":"1","content":"hé\\n\\"x\\""}');
    expect(decoded.data).toEqual({ id: '1', content: 'hé\n"x"' });
    // Re-published as it came (a relay, a spread copy): the body bytes are kept, not re-encoded.
    expect(fields(decodeBrokerMessage(encodeBrokerPayload(decoded)))).toEqual(fields(decoded));
    expect({ ...decoded }).toEqual(m.data === decoded.data ? m : { ...m, data: { id: '1', content: 'hé\n"x"' } });
    expect(splicedBody(decodeBrokerMessage(encodeBrokerMessage({ ...m, data: decoded.data }, 1)))).toBeUndefined();
    // A payload replaced on a decoded message is what gets encoded from then on, not the stale body.
    decoded.data = { replaced: true };
    expect(splicedBody(decoded)).toBeUndefined();
    expect(decodeBrokerMessage(encodeBrokerPayload(decoded)).data).toEqual({ replaced: true });
  });

  it('gives every decoded message the same `data` accessor pair (one hidden class, not a dictionary per message)', () => {
    const m: BrokerMessage = {
      event: 'MESSAGE_CREATE',
      data: { content: 'x' },
      intent: 512,
      target: { type: 'guild', guildId: '1' },
      createdAt: 5,
    };
    const [a, b] = [decodeBrokerMessage(encodeBrokerPayload(m)), decodeBrokerMessage(encodeBrokerPayload(m))];
    const [da, db] = [Object.getOwnPropertyDescriptor(a, 'data'), Object.getOwnPropertyDescriptor(b, 'data')];
    expect(da?.enumerable).toBe(true);
    expect(da?.get).toBe(db?.get);
    expect(da?.set).toBe(db?.set);
    // Each keeps its own payload all the same: reading or replacing one does not touch the other.
    a.data = { content: 'y' };
    expect(b.data).toEqual({ content: 'x' });
    expect(a.data).toEqual({ content: 'y' });
    expect(Object.keys(a)).toEqual(['event', 'intent', 'target', 'createdAt', 'data']);
  });
  it('decodes a Redis payload with its stream id into a position', () => {
    const m: BrokerMessage = {
      event: 'E',
      data: [1],
      intent: null,
      target: { type: 'guild', guildId: '1' },
      createdAt: 0,
    };
    const bytes = Buffer.concat([Buffer.from('1700000000000-3 '), encodeBrokerPayload(m)]);
    expect(decodeBrokerPayload('guild:1', bytes).position).toEqual({ topic: 'guild:1', id: '1700000000000-3' });
    expect(decodeBrokerPayload('guild:1', bytes.toString()).position).toEqual({
      topic: 'guild:1',
      id: '1700000000000-3',
    });
    expect(decodeBrokerPayload('guild:1', encodeBrokerPayload(m)).position).toBeUndefined();
    expect(() => decodeBrokerPayload('guild:1', Buffer.from('17x00 [1]'))).toThrow(GatewayServerError);
  });

  it('gives a typed error, never a crash, on random and truncated input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        decodeOrError(text);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        decodeOrError(bytes);
        decodeOrError(Buffer.concat([Buffer.from('[2,"E",null,{"type":"guild","guildId":"1"},0]\n'), bytes]));
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        decodeOrError(JSON.stringify(value) ?? 'null');
      }),
    );
    fc.assert(
      fc.property(message, fc.nat(), fc.boolean(), (m, cut, v1) => {
        const text = encodeBrokerMessage(m, v1 ? 1 : 2);
        const result = decodeOrError(text.slice(0, cut % text.length));
        // A v2 message cut inside its body can still be a shorter valid JSON value (`12` → `1`): only the header
        // and the JSON grammar are checked, like any truncation a transport would have caught.
        if (!(result instanceof GatewayServerError)) expect(v1).toBe(false);
        else expect(result).toBeInstanceOf(GatewayServerError);
      }),
    );
  });

  it('rejects a v2 body that is not one JSON value, or not UTF-8, before anything splices it', () => {
    const head = '[2,"E",null,{"type":"guild","guildId":"1"},0]\n';
    for (const body of [
      '',
      '{',
      '{"a":1',
      '[1,]',
      '{"a" 1}',
      '"x',
      '01',
      '1.',
      '-',
      'nul',
      '{}x',
      '[1] [2]',
      '"\\u12"',
    ]) {
      expect(decodeOrError(head + body), body).toBeInstanceOf(GatewayServerError);
    }
    expect(
      decodeOrError(Buffer.concat([Buffer.from(`${head}"`), Buffer.from([0xff]), Buffer.from('"')])),
    ).toBeInstanceOf(GatewayServerError);
    expect(decodeOrError(head + '['.repeat(65) + ']'.repeat(65))).toBeInstanceOf(GatewayServerError);
    expect(decodeOrError(head + '['.repeat(64) + ']'.repeat(64))).not.toBeInstanceOf(GatewayServerError);
    expect(decodeOrError(`[2,"E",null,{"type":"guild","guildId":"1"},0,1]\n1`)).toBeInstanceOf(GatewayServerError);
  });

  it('checks JSON text as JSON.parse does (within the depth bound), in time linear in its size', () => {
    const agrees = (text: string) => {
      let parses: boolean;
      try {
        JSON.parse(text);
        parses = true;
      } catch {
        parses = false;
      }
      expect(isJsonText(Buffer.from(text), 64), text).toBe(parses);
    };
    fc.assert(
      fc.property(fc.json({ maxDepth: 6 }), fc.nat(), fc.nat(), (text, cut, at) => {
        agrees(text);
        agrees(text.slice(0, cut % (text.length + 1)));
        // One byte changed to JSON punctuation: the checker and JSON.parse must still agree.
        const punct = '{}[],:"\\ 0-.eE+tfn'[at % 20]!;
        const i = cut % (text.length + 1);
        agrees(text.slice(0, i) + punct + text.slice(i + 1));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 60, unit: fc.constantFrom(...'{}[],:"\\ 01-.eE+truefalsnl\t\nxu') }), agrees),
      { numRuns: 3000 },
    );
    // Budget: a 4 MB hostile body (deep-ish, long strings, many numbers) is checked in one linear pass.
    const big = Buffer.from(
      `[${'{"a":[1.5e3,"x\\u00e9",true,null],"b":"'.concat('y'.repeat(50), '"},').repeat(60_000)}0]`,
    );
    const started = performance.now();
    expect(isJsonText(big, 64)).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses oversized messages and headers without scanning them', () => {
    const header = `[2,"E",null,{"type":"users","userIds":[${'"1",'.repeat(20_000)}"1"]},0]\n1`;
    expect(decodeOrError(header)).toBeInstanceOf(GatewayServerError);
    expect(decodeOrError(Buffer.alloc(16 * 1024 * 1024 + 1, 0x20))).toBeInstanceOf(GatewayServerError);
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
