// Issue #13 cause 5: one formatter for every timestamp, in Discord's form.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { discordTimestamp, discordTimestampOrNull } from '../src/serialize/discordTimestamp.js';

describe('discordTimestamp', () => {
  it("writes Discord's form: microseconds and +00:00", () => {
    expect(discordTimestamp(new Date(Date.UTC(2026, 11, 4, 3, 44, 57, 310)))).toBe('2026-12-04T03:44:57.310000+00:00');
    expect(discordTimestamp('2026-12-04T03:44:57.310Z')).toBe('2026-12-04T03:44:57.310000+00:00');
    expect(discordTimestamp(0)).toBe('1970-01-01T00:00:00.000000+00:00');
    // Already in Discord's form: kept, microseconds and all.
    expect(discordTimestamp('2026-12-04T03:44:57.310123+00:00')).toBe('2026-12-04T03:44:57.310123+00:00');
    expect(discordTimestampOrNull(null)).toBeNull();
    expect(discordTimestampOrNull(undefined)).toBeNull();
  });

  it('refuses what is not a time', () => {
    expect(() => discordTimestamp('yesterday')).toThrow(RangeError);
  });

  it('round-trips every instant of years 0..9999 to the millisecond', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (ms) => {
        const text = discordTimestamp(ms);
        expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}000\+00:00$/);
        expect(Date.parse(text)).toBe(ms);
      }),
    );
  });
});
