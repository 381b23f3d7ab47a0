import { compare, mergeBySnowflake, sortBySnowflake } from '@concord/snowflake';
import { describe, expect, it } from 'vitest';
import * as client from '../src/index.js';

// The ordering helpers live in @concord/snowflake (tested there); this package only re-exports them.
describe('snowflake helpers', () => {
  it('are the @concord/snowflake functions, under the names this package exported before', () => {
    expect(client.compareSnowflakes).toBe(compare);
    expect(client.sortBySnowflake).toBe(sortBySnowflake);
    expect(client.mergeBySnowflake).toBe(mergeBySnowflake);
    expect(client.compareSnowflakes('9', '10')).toBe(-1);
  });
});
