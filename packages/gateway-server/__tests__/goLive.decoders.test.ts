// The Go Live op decoders (src/handlers/streamPayloads.ts) on arbitrary input: they never throw, accept only the ops'
// shapes with bounded strings, and cost what a bounded payload may (heap growth per case, no timing).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatStreamKey,
  MAX_STREAM_KEY_LENGTH,
  parseStreamKey,
  readStreamCreate,
  readStreamKeyCommand,
  readStreamSetPaused,
} from '../src/handlers/streamPayloads.js';

const RUNS = { numRuns: 500 };
const SNOWFLAKE = /^\d{1,20}$/;
/** Heap a decoder may grow by for one case: orders of magnitude above what it keeps (a few short strings). */
const HEAP_BUDGET = 8 * 2 ** 20;

const snowflake = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String);
const key = fc.oneof(
  fc.tuple(snowflake, snowflake, snowflake).map(([g, c, u]) => formatStreamKey(g, c, u)),
  fc.string({ maxLength: 300 }),
  fc.string({ minLength: MAX_STREAM_KEY_LENGTH - 2, maxLength: MAX_STREAM_KEY_LENGTH + 2 }),
);
/** Payloads close to the real shapes with any field replaced by anything. */
const payload = fc.oneof(
  fc.anything(),
  fc.record(
    {
      type: fc.oneof(fc.constantFrom('guild', 'call', 'test'), fc.anything(), fc.string({ maxLength: 100 })),
      guild_id: fc.oneof(snowflake, fc.constant(null), fc.anything()),
      channel_id: fc.oneof(snowflake, fc.integer(), fc.anything()),
      preferred_region: fc.oneof(fc.constant(null), fc.string({ maxLength: 64 }), fc.anything()),
      stream_key: fc.oneof(key, fc.anything()),
      paused: fc.oneof(fc.boolean(), fc.anything()),
    },
    { requiredKeys: [] },
  ),
);

function heapGrowth(fn: () => void): number {
  const before = process.memoryUsage().heapUsed;
  fn();
  return process.memoryUsage().heapUsed - before;
}

describe('Go Live op decoders (property)', () => {
  it('op 18: null or a command with a snowflake channel, a nullable snowflake guild and short strings', () => {
    fc.assert(
      fc.property(payload, (d) => {
        let out: ReturnType<typeof readStreamCreate> = null;
        expect(heapGrowth(() => (out = readStreamCreate(d)))).toBeLessThan(HEAP_BUDGET);
        if (out === null) return;
        const command = out as NonNullable<ReturnType<typeof readStreamCreate>>;
        expect(command.channelId).toMatch(SNOWFLAKE);
        if (command.guildId !== null) expect(command.guildId).toMatch(SNOWFLAKE);
        expect(command.type.length).toBeLessThanOrEqual(32);
        expect(command.preferredRegion === null || command.preferredRegion.length <= 32).toBe(true);
      }),
      RUNS,
    );
  });

  it('ops 19/20/21/22: the key is a non-empty string of at most 128 characters; paused a boolean', () => {
    fc.assert(
      fc.property(payload, (d) => {
        const streamKey = readStreamKeyCommand(d);
        if (streamKey !== null) {
          expect(streamKey.length).toBeGreaterThan(0);
          expect(streamKey.length).toBeLessThanOrEqual(MAX_STREAM_KEY_LENGTH);
        }
        const paused = readStreamSetPaused(d);
        if (paused !== null) {
          expect(paused.streamKey).toBe(streamKey);
          expect(typeof paused.paused).toBe('boolean');
        }
      }),
      RUNS,
    );
  });

  it('stream keys: guild keys round-trip, anything else is null, never a throw', () => {
    fc.assert(
      fc.property(snowflake, snowflake, snowflake, (g, c, u) => {
        expect(parseStreamKey(formatStreamKey(g, c, u))).toEqual({ guildId: g, channelId: c, ownerId: u });
      }),
      RUNS,
    );
    fc.assert(
      fc.property(key, (k) => {
        const parsed = parseStreamKey(k);
        if (parsed !== null) expect(formatStreamKey(parsed.guildId, parsed.channelId, parsed.ownerId)).toBe(k);
      }),
      RUNS,
    );
    // A huge key is refused before any regex runs over it.
    expect(heapGrowth(() => expect(parseStreamKey(`guild:${'1'.repeat(1_000_000)}:1:1`)).toBeNull())).toBeLessThan(
      HEAP_BUDGET,
    );
    expect(readStreamKeyCommand({ stream_key: 'k'.repeat(MAX_STREAM_KEY_LENGTH + 1) })).toBeNull();
    expect(readStreamCreate({ type: 'guild', guild_id: '1', channel_id: '2', preferred_region: 'us-east' })).toEqual({
      type: 'guild',
      guildId: '1',
      channelId: '2',
      preferredRegion: 'us-east',
    });
  });
});
