import { describe, expect, it } from 'vitest';
import { runEntityStoreConformance } from '../src/conformance/index.js';
import { entitySortKey } from '../src/entities/entitySortKey.js';
import { compareEntityIds, createInMemoryEntityStore } from '../src/entities/index.js';

runEntityStoreConformance('in-memory', () => createInMemoryEntityStore());

describe('entity id order', () => {
  const ids = ['9', 'B', 'a', '10', '11', 'zz', '\uff01a', '😀', 'abc', '100000000000000000', '100000000000000001'];

  it('compareEntityIds orders by length, then by code point', () => {
    expect([...ids].reverse().sort(compareEntityIds)).toEqual(ids);
    expect(compareEntityIds('10', '10')).toBe(0);
    expect(compareEntityIds('9', '10')).toBe(-1);
    expect(compareEntityIds('😀', '\uff01a')).toBe(1);
  });

  it("entitySortKey's UTF-8 byte order is the same order", () => {
    const bytes = (id: string) => Buffer.from(entitySortKey(id), 'utf8');
    expect([...ids].reverse().sort((a, b) => Buffer.compare(bytes(a), bytes(b)))).toEqual(ids);
  });
});
