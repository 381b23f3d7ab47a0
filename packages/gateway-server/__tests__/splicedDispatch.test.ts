import { getEncoding } from '@concord/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BrokerMessage } from '../src/Broker.js';
import { decodeBrokerMessage, encodeBrokerPayload, splicedBody } from '../src/brokers/brokerCodec.js';
import { PreparedDispatch } from '../src/PreparedDispatch.js';

// A v2 bus message is spliced into the frames of a receiving node instead of being parsed and re-encoded: every
// frame a session can get must be byte for byte the one the node would have built from the parsed payload.
const message = (data: unknown): BrokerMessage => ({
  event: 'MESSAGE_CREATE',
  data,
  intent: 1 << 9,
  target: { type: 'guild', guildId: '1' },
  createdAt: 7,
});

function bothWays(data: unknown): [PreparedDispatch, PreparedDispatch] {
  const decoded = decodeBrokerMessage(encodeBrokerPayload(message(data)));
  const body = splicedBody(decoded);
  expect(body).toBeDefined();
  const parsed = JSON.parse(JSON.stringify(data)) as unknown;
  return [
    PreparedDispatch.spliced(decoded.event, body!, decoded.createdAt),
    new PreparedDispatch('MESSAGE_CREATE', parsed, 7),
  ];
}

describe('spliced dispatches (broker wire format v2)', () => {
  const chat = {
    id: '10',
    guild_id: '1',
    channel_id: '2',
    author: { id: '3', username: 'ä"\\' },
    content: 'hello\n"world" ✓ \u2028',
    embeds: [{ title: 't' }],
    attachments: [],
    components: [],
    mentions: [{ id: '4' }],
  };

  it('builds the same frames as encoding the parsed payload, in every encoding and content variant', () => {
    for (const name of ['json', 'etf']) {
      const encoding = getEncoding(name);
      for (const full of [true, false]) {
        const [spliced, encoded] = bothWays(chat);
        for (const seq of [1, 300, 2 ** 40]) {
          expect(spliced.wsFrame(encoding, full, seq), `${name} ${full} ${seq}`).toEqual(
            encoded.wsFrame(encoding, full, seq),
          );
          expect(spliced.frame(encoding, full, seq)).toEqual(encoded.frame(encoding, full, seq));
        }
      }
    }
  });

  it('agrees with the encoded frames on arbitrary JSON payloads', () => {
    const json = getEncoding('json');
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, seq) => {
        const [spliced, encoded] = bothWays(JSON.parse(JSON.stringify(value)));
        expect(spliced.wsFrame(json, true, seq)).toEqual(encoded.wsFrame(json, true, seq));
        expect(spliced.data).toEqual(encoded.data);
      }),
      { numRuns: 300 },
    );
  });

  it('parses the payload only when something reads it', () => {
    const decoded = decodeBrokerMessage(encodeBrokerPayload(message(chat)));
    const dispatch = PreparedDispatch.spliced(decoded.event, splicedBody(decoded)!, 7);
    dispatch.wsFrame(getEncoding('json'), true, 1);
    expect(dispatch.data).toEqual(chat);
    expect(dispatch.data).toBe(dispatch.data);
  });
});
