import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PARTY_CAPACITY } from '../src/index.js';
import { parsePartyRecord } from '../src/parties/PartyRecord.js';

// A stored party record is read back by another host: whatever the store holds, reading it must not throw, and what
// it accepts must be a party a host can run.
describe('parsePartyRecord', () => {
  const id = fc.stringMatching(/^[0-9]{1,20}$/);
  const record = fc.record({
    v: fc.constant(1),
    leaderId: id,
    capacity: fc.integer({ min: 1, max: MAX_PARTY_CAPACITY }),
    joinMode: fc.constantFrom('open', 'invite', 'closed'),
    matchId: fc.option(id, { nil: null }),
    members: fc.array(id, { maxLength: MAX_PARTY_CAPACITY }),
  });

  it('round-trips every valid record', () => {
    fc.assert(
      fc.property(record, (r) => {
        expect(parsePartyRecord(JSON.parse(JSON.stringify(r)))).toEqual(r);
      }),
    );
  });

  it('never throws on any JSON value, and accepts only runnable records', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue({ maxDepth: 3 }),
          record.map((r) => ({ ...r, capacity: r.capacity * 7 })),
        ),
        (v) => {
          const parsed = parsePartyRecord(v);
          if (parsed === null) return;
          expect(parsed.capacity).toBeGreaterThanOrEqual(1);
          expect(parsed.capacity).toBeLessThanOrEqual(MAX_PARTY_CAPACITY);
          expect(parsed.members.length).toBeLessThanOrEqual(MAX_PARTY_CAPACITY);
          expect(['open', 'invite', 'closed']).toContain(parsed.joinMode);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
