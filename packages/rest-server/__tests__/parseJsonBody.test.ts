import { describe, expect, it } from 'vitest';
import { parseJsonBody } from '../src/http/parseJsonBody.js';

const parse = (text: string) => parseJsonBody(Buffer.from(text, 'utf8')) as Record<string, unknown>;

describe('parseJsonBody', () => {
  it('drops `__proto__` keys, spelled out or escaped, at any depth', () => {
    for (const text of [
      '{"content":"hi","__proto__":{"polluted":true}}',
      '{"content":"hi","\\u005f\\u005fproto\\u005f\\u005f":{"polluted":true}}',
      '{"content":"hi","embeds":[{"__proto__":{"polluted":true}}]}',
    ]) {
      const body = parse(text);
      expect(Object.hasOwn(body, '__proto__')).toBe(false);
      expect(body.content).toBe('hi');
      expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
      for (const embed of (body.embeds as Record<string, unknown>[] | undefined) ?? []) {
        expect(Object.hasOwn(embed, '__proto__')).toBe(false);
      }
    }
  });

  it('parses a body without such keys as it is (escapes, unsafe integers and an empty body included)', () => {
    expect(parse('{"content":"caf\\u00e9 \\"quoted\\" __proto","nonce":"1"}')).toEqual({
      content: 'café "quoted" __proto',
      nonce: '1',
    });
    expect(parse('{"recipient_id": 300000000000000001}')).toEqual({ recipient_id: '300000000000000001' });
    expect(parse('')).toEqual({});
    expect(parse('  ')).toEqual({});
  });
});
