import { describe, expect, it } from 'vitest';
import { shardOf } from '../src/shardOf.js';

// The gateway's shard rule is @concord/snowflake's formula with one policy on top: never throw inside fan-out.
describe('shardOf', () => {
  it("is Discord's (id >> 22) % count", () => {
    const id = '197038439483310086';
    for (const count of [2, 3, 16, 1000]) expect(shardOf(id, count)).toBe(Number((BigInt(id) >> 22n) % BigInt(count)));
  });

  it('puts everything on shard 0 with one shard', () => {
    expect(shardOf('197038439483310086', 1)).toBe(0);
    expect(shardOf('not an id', 1)).toBe(0);
  });

  it('answers shard 0 for ids that are not snowflakes instead of throwing', () => {
    for (const id of ['', 'lobby', '-1', '1.5', '99999999999999999999999']) expect(shardOf(id, 4)).toBe(0);
  });
});
