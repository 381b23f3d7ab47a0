// validatePresence reads untrusted decoded data: it never throws, its work is bounded, and what it accepts is made of
// known fields only and can be encoded in every gateway encoding (so no presence can poison a fan-out).
import { getEncoding } from '@concord/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ACTIVITIES, MAX_PRESENCE_DEPTH, nestsDeeperThan, validatePresence } from '../src/validatePresence.js';

const ENCODINGS = ['json', 'etf', 'msgpack'].map((name) => getEncoding(name));
const PRESENCE_KEYS = new Set(['status', 'activities', 'since', 'afk']);
const ACTIVITY_KEYS = new Set([
  'name',
  'type',
  'url',
  'state',
  'details',
  'application_id',
  'timestamps',
  'emoji',
  'party',
  'assets',
  'buttons',
  'instance',
  'flags',
]);

/** Keys a hostile client likes, mixed with the real ones. */
const key = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', ...ACTIVITY_KEYS, ...PRESENCE_KEYS),
  fc.string({ maxLength: 8 }),
);
const leaf = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.integer({ min: -10, max: 10 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('online', 'idle', 'dnd', 'invisible', 'offline', '123456789012345678'),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 6 }),
    fc.dictionary(key, tie('value'), { maxKeys: 6 }),
  ),
}));
/** Almost-valid presences: the right skeleton with arbitrary values and extra keys. */
const presenceLike = fc.record({
  status: fc.oneof(fc.constantFrom('online', 'idle', 'dnd', 'invisible', 'offline'), value),
  since: fc.oneof(fc.constant(null), fc.nat(), value),
  afk: fc.oneof(fc.boolean(), value),
  activities: fc.oneof(
    fc.array(
      fc.oneof(
        fc.record({ name: fc.string({ maxLength: 140 }), type: fc.integer({ min: -1, max: 8 }) }),
        fc.dictionary(key, value, { maxKeys: 8 }),
        value,
      ),
      { maxLength: MAX_ACTIVITIES + 2 },
    ),
    value,
  ),
  extra: value,
});

function nested(depth: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = i % 2 ? { a: v } : [v];
  return v;
}

let accepted = 0;

function check(input: unknown): void {
  const heap = process.memoryUsage().heapUsed;
  const started = performance.now();
  const result = validatePresence(input);
  const ms = performance.now() - started;
  // Orders of magnitude only: a 4 KB payload's worth of data is microseconds of work.
  expect(ms).toBeLessThan(50);
  expect(process.memoryUsage().heapUsed - heap).toBeLessThan(10 * 1024 * 1024);
  if (!result.ok) {
    expect(result.error.code).toMatch(/^[A-Z_]+$/);
    return;
  }
  accepted++;
  const { presence } = result;
  for (const k of Object.keys(presence)) expect(PRESENCE_KEYS.has(k)).toBe(true);
  expect(presence.activities.length).toBeLessThanOrEqual(MAX_ACTIVITIES);
  for (const activity of presence.activities) {
    for (const k of Object.keys(activity)) expect(ACTIVITY_KEYS.has(k)).toBe(true);
    expect(typeof activity.name).toBe('string');
    expect(Number.isInteger(activity.type)).toBe(true);
  }
  expect(nestsDeeperThan(presence, MAX_PRESENCE_DEPTH)).toBe(false);
  // What is accepted can be relayed to every session, whatever its encoding.
  for (const encoding of ENCODINGS) expect(() => encoding.encode({ ...presence, user: { id: '1' } })).not.toThrow();
  expect(JSON.stringify(presence)).not.toContain('__proto__');
}

describe('validatePresence', () => {
  it('never throws, stays within budget, and accepts only known fields that every encoding carries', () => {
    accepted = 0;
    fc.assert(fc.property(fc.oneof(value, presenceLike), check), { numRuns: 1500 });
    // The accepting branch is exercised too, not only refusals.
    expect(accepted).toBeGreaterThan(10);
  });

  it('refuses deep nesting anywhere without walking it all', () => {
    for (const depth of [MAX_PRESENCE_DEPTH + 1, 300, 2000]) {
      check({ status: 'online', activities: [], extra: nested(depth) });
      expect(validatePresence({ status: 'online', activities: [], extra: nested(depth) }).ok).toBe(false);
      expect(validatePresence({ status: 'online', activities: [{ name: 'x', type: 0, x: nested(depth) }] }).ok).toBe(
        false,
      );
    }
    // The deepest thing the schema has (party.size) is fine.
    const party = { status: 'online', activities: [{ name: 'x', type: 0, party: { id: 'p', size: [1, 2] } }] };
    expect(validatePresence(party).ok).toBe(true);
  });

  it('rebuilds from what it read: JSON "__proto__" keys neither pollute nor travel', () => {
    const input = JSON.parse(
      '{"status":"online","__proto__":{"x":1},"activities":[{"name":"a","type":0,"__proto__":{"y":1},' +
        '"emoji":{"name":"e","__proto__":{"z":1}}}]}',
    );
    const result = validatePresence(input);
    expect(result.ok && result.presence).toEqual({
      status: 'online',
      since: null,
      afk: false,
      activities: [{ name: 'a', type: 0, emoji: { name: 'e' } }],
    });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
