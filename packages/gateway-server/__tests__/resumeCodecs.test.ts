import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitStreamedBytes, splitStreamedPayload } from '../src/brokers/brokerCodec.js';
import { GatewayServerError } from '../src/GatewayServerError.js';
import { decodeJournalEntry, encodeJournalEntry, type JournalEntry } from '../src/resume/journalEntryCodec.js';
import { ResumeError } from '../src/resume/ResumeError.js';
import { decodeSessionRecord, encodeSessionRecord, type SessionRecord } from '../src/resume/sessionRecordCodec.js';
import { compareStreamIds, isStreamId, maxStreamId, parseStreamId } from '../src/resume/streamId.js';
import { sessionRecord } from './fixtures/sessionRecord.js';

const part = fc.integer({ min: 0, max: 2 ** 45 });
const streamId = fc.tuple(part, part).map(([ms, seq]) => `${ms}-${seq}`);
const json = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const snowflake = fc.stringMatching(/^[1-9][0-9]{0,19}$/);

const entry: fc.Arbitrary<JournalEntry> = fc.oneof(
  fc.record({
    seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    full: fc.boolean(),
    kind: fc.constant('ref' as const),
    topic: fc.string({ minLength: 1, maxLength: 100 }),
    id: streamId,
  }),
  fc.record({
    seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    full: fc.boolean(),
    kind: fc.constant('inline' as const),
    event: fc.stringMatching(/^[A-Z_]{1,40}$/),
    data: json,
  }),
);

const record: fc.Arbitrary<SessionRecord> = fc
  .record({
    sessionId: fc.stringMatching(/^[0-9a-f]{32}$/),
    user: fc.record({ id: snowflake, username: fc.string({ maxLength: 32 }), bot: fc.boolean() }),
    application: fc.record({ id: snowflake, flags: fc.integer({ min: 0, max: 2 ** 30 }) }),
    intents: fc.integer({ min: 0, max: 2 ** 26 }),
    shardCount: fc.integer({ min: 1, max: 4096 }),
    shardPick: fc.nat(),
    largeThreshold: fc.integer({ min: 50, max: 250 }),
    guilds: fc.array(snowflake, { maxLength: 20 }),
    presence: fc.option(
      fc.record({
        user: fc.record({ id: snowflake }),
        status: fc.constantFrom('online', 'idle', 'dnd', 'offline'),
        activities: fc.constant([]),
      }),
      { nil: null },
    ),
    voice: fc.array(fc.tuple(snowflake, snowflake), { maxLength: 3 }),
  })
  .map(({ shardCount, shardPick, ...rest }) => ({ ...rest, shard: [shardPick % shardCount, shardCount] }) as never);

/** Every decoder either decodes or throws its typed error: never another exception, never a hang. */
function typed<T>(decode: () => T, isTyped: (error: unknown) => boolean): T | 'typed-error' {
  try {
    return decode();
  } catch (error) {
    if (isTyped(error)) return 'typed-error';
    throw error;
  }
}
const isResumeError = (code: string) => (error: unknown) => error instanceof ResumeError && error.code === code;

describe('journal entries', () => {
  it('round-trip', () => {
    fc.assert(
      fc.property(entry, (e) => {
        expect(decodeJournalEntry(encodeJournalEntry(e))).toEqual(e);
      }),
    );
  });

  it('reject random and truncated input with a ResumeError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        typed(() => decodeJournalEntry(text), isResumeError('INVALID_RESUME_ENTRY'));
      }),
    );
    fc.assert(
      fc.property(entry, fc.nat(), (e, cut) => {
        const text = encodeJournalEntry(e);
        const at = cut % text.length;
        expect(typed(() => decodeJournalEntry(text.slice(0, at)), isResumeError('INVALID_RESUME_ENTRY'))).toBe(
          'typed-error',
        );
      }),
    );
  });

  it('reject well-formed JSON with wrong fields', () => {
    for (const bad of [
      '[0,1,0,"guild:1","1-0"]',
      '[1,2,0,"guild:1","1-0"]',
      '[1,1,0,"guild:1","1"]',
      '[1,1,0,"","1-0"]',
      '[1,1,7,"guild:1","1-0"]',
      '[1.5,1,1,"E",null]',
      '{"seq":1}',
      '[1,1,1,"E"]',
    ]) {
      expect(() => decodeJournalEntry(bad)).toThrow(ResumeError);
    }
  });
});

describe('session records', () => {
  it('round-trip', () => {
    fc.assert(
      fc.property(record, (r) => {
        expect(decodeSessionRecord(encodeSessionRecord(r))).toEqual(r);
      }),
    );
  });

  it('reject random, truncated and altered input with a ResumeError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        typed(() => decodeSessionRecord(text), isResumeError('INVALID_SESSION_RECORD'));
      }),
    );
    fc.assert(
      fc.property(record, fc.nat(), (r, cut) => {
        const text = encodeSessionRecord(r);
        expect(
          typed(() => decodeSessionRecord(text.slice(0, cut % text.length)), isResumeError('INVALID_SESSION_RECORD')),
        ).toBe('typed-error');
      }),
    );
    fc.assert(
      fc.property(
        record,
        fc.constantFrom(
          'sessionId',
          'user',
          'application',
          'intents',
          'shard',
          'largeThreshold',
          'guilds',
          'voice',
          'v',
        ),
        json,
        (r, key, value) => {
          const raw = JSON.parse(encodeSessionRecord(r)) as Record<string, unknown>;
          raw[key] = value;
          // Any value: decodes (if it happens to be valid) or a typed error, never a crash.
          typed(() => decodeSessionRecord(JSON.stringify(raw)), isResumeError('INVALID_SESSION_RECORD'));
        },
      ),
    );
  });

  it('rejects a shard id out of its range', () => {
    const base = JSON.parse(encodeSessionRecord(sessionRecord())) as Record<string, unknown>;
    expect(() => decodeSessionRecord(JSON.stringify({ ...base, shard: [1, 1] }))).toThrow(ResumeError);
    expect(decodeSessionRecord(JSON.stringify(base)).shard).toEqual([0, 1]);
  });

  it('reads records written before voice channels were kept, and rejects a malformed voice list', () => {
    const base = JSON.parse(
      encodeSessionRecord(sessionRecord({ sessionId: 'b'.repeat(32), guilds: ['5'], voice: [['5', '6']] })),
    ) as Record<string, unknown>;
    expect(decodeSessionRecord(JSON.stringify(base)).voice).toEqual([['5', '6']]);
    const { voice: _, ...old } = base;
    expect(decodeSessionRecord(JSON.stringify(old)).voice).toEqual([]);
    for (const bad of [{}, [['5']], [['5', 6]], [['', '6']], ['56']]) {
      expect(() => decodeSessionRecord(JSON.stringify({ ...base, voice: bad }))).toThrow(ResumeError);
    }
  });
});

describe('stream ids', () => {
  it('order like Redis: by milliseconds, then sequence', () => {
    fc.assert(
      fc.property(part, part, part, part, (am, as, bm, bs) => {
        const sign = Math.sign(compareStreamIds(`${am}-${as}`, `${bm}-${bs}`));
        expect(sign).toBe(am !== bm ? Math.sign(am - bm) : Math.sign(as - bs));
        expect(maxStreamId(`${am}-${as}`, `${bm}-${bs}`)).toBe(sign < 0 ? `${bm}-${bs}` : `${am}-${as}`);
      }),
    );
    expect(compareStreamIds('10-0', '9-5')).toBeGreaterThan(0);
    expect(maxStreamId(undefined, '1-1')).toBe('1-1');
  });

  it('reject anything else with a ResumeError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const ok = isStreamId(text);
        const parsed = typed(() => parseStreamId(text), isResumeError('INVALID_STREAM_ID'));
        expect(parsed === 'typed-error').toBe(!ok);
      }),
    );
    for (const bad of ['', '1', '1-', '-1', '1-2-3', ' 1-2', '1234567890123456-0', 'a-b']) {
      expect(isStreamId(bad)).toBe(false);
    }
  });
});

describe('streamed bus payloads', () => {
  it('split `<id> <message>` and pass plain messages through', () => {
    fc.assert(
      fc.property(streamId, fc.string({ maxLength: 100 }), (id, body) => {
        expect(splitStreamedPayload(`${id} ${body}`)).toEqual({ id, body });
      }),
    );
    expect(splitStreamedPayload('[1,"E"]')).toEqual({ id: null, body: '[1,"E"]' });
  });

  it('reject a bad id prefix with INVALID_BROKER_MESSAGE', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        typed(
          () => splitStreamedPayload(text),
          (e) => e instanceof GatewayServerError && e.code === 'INVALID_BROKER_MESSAGE',
        );
      }),
    );
    for (const bad of ['1', '1-', '12-x {}', '1-2{}', '9999999999999999-0 []']) {
      expect(() => splitStreamedPayload(bad)).toThrow(GatewayServerError);
    }
  });

  it('split the same way as bytes (what the Redis broker reads) as as text', () => {
    const asBytes = (text: string) => {
      try {
        const { id, start } = splitStreamedBytes(Buffer.from(text, 'latin1'));
        return { id, body: text.slice(start) };
      } catch (error) {
        return (error as GatewayServerError).code;
      }
    };
    const asText = (text: string) => {
      try {
        return splitStreamedPayload(text);
      } catch (error) {
        return (error as GatewayServerError).code;
      }
    };
    const prefixed = fc
      .tuple(
        fc.stringMatching(/^[0-9]{0,17}$/),
        fc.constantFrom('-', '', '--', 'x'),
        fc.stringMatching(/^[0-9]{0,17}$/),
      )
      .chain(([ms, dash, seq]) =>
        fc.tuple(fc.constantFrom(' ', '', '  ', '{'), fc.string({ maxLength: 20 })).map(([sep, rest]) => {
          return `${ms}${dash}${seq}${sep}${rest}`;
        }),
      );
    fc.assert(
      fc.property(fc.oneof(prefixed, fc.string({ maxLength: 60 })), (text) => {
        // Latin-1 only, so that one character is one byte.
        const latin1 = Array.from(text, (c) => (c.charCodeAt(0) > 0xff ? '?' : c)).join('');
        expect(asBytes(latin1)).toEqual(asText(latin1));
      }),
      { numRuns: 2000 },
    );
  });
});
