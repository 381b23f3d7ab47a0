import { describe, expect, it } from 'vitest';
import { newSessionId } from '../src/newSessionId.js';

describe('newSessionId', () => {
  it('is 32 lowercase hex digits', () => {
    for (let i = 0; i < 600; i++) expect(newSessionId()).toMatch(/^[0-9a-f]{32}$/);
  });

  it('never repeats across pool refills (each pooled byte is used once)', () => {
    const ids = new Set<string>();
    // Several refills of the 256-id pool.
    for (let i = 0; i < 2000; i++) ids.add(newSessionId());
    expect(ids.size).toBe(2000);
  });
});
