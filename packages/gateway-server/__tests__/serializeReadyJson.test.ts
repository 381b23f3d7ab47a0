// READY as JSON text written around its user and application (issue #19, Identify): the very bytes `JSON.stringify`
// gives for serializeReady's object, or null where only the object path can say what is wrong.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ReadyInput, serializeReady } from '../src/serialize/serializeReady.js';
import { serializeReadyJson } from '../src/serialize/serializeReadyJson.js';
import { GUILD_A, GUILD_B, user } from './helpers.js';

const input = (over: Partial<ReadyInput> = {}): ReadyInput => ({
  v: 10,
  user: user('42'),
  guildIds: [GUILD_A, GUILD_B],
  sessionId: 'abc123',
  resumeGatewayUrl: 'ws://127.0.0.1:1234',
  application: { id: '42', flags: 0 },
  ...over,
});

const same = (i: ReadyInput) => expect(serializeReadyJson(i)).toBe(JSON.stringify(serializeReady(i)));

describe('serializeReadyJson', () => {
  it('is the same JSON as the object, with and without shard and guilds', () => {
    same(input());
    same(input({ shard: [1, 4] }));
    same(input({ guildIds: [] }));
    same(input({ v: 9, guildIds: [GUILD_A] }));
  });

  it('is the same JSON for a user and application with extras and strings that need escaping', () => {
    same(
      input({
        user: {
          ...user('7', 'quote " backslash \\ newline \n emoji 🎉 lone \ud800'),
          email: 'a@b.c',
          custom: { a: [1] },
        },
        application: { id: '7', flags: 1 << 23, name: 'app "x"', nested: { deep: [{ x: null }] } },
        resumeGatewayUrl: 'ws://host:1/"',
        sessionId: 's\u0000',
      }),
    );
  });

  it('is the same JSON for any user fields', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (extra, name) => {
        same(input({ user: { ...extra, ...user('9', name) } }));
      }),
    );
  });

  it('writes the application with flags_new last, and leaves an application it cannot splice to the object path', () => {
    same(input({ application: { id: '1', flags: 8, name: 'x', tags: ['a'] } }));
    for (const application of [
      { id: '1', flags: 8, flags_new: 'own' },
      { id: '1', flags: 8, toJSON: () => ({ id: 'other' }) },
    ]) {
      const i = input({ application });
      expect(serializeReadyJson(i)).toBeNull();
    }
  });

  it('gives null where the object path must decide (bigint, nesting past the codec limit)', () => {
    expect(serializeReadyJson(input({ application: { id: '1', flags: 0, big: 1n } }))).toBeNull();
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(serializeReadyJson(input({ user: { ...user('1'), deep } }))).toBeNull();
    let shallow: unknown = 1;
    for (let i = 0; i < 60; i++) shallow = [shallow];
    same(input({ user: { ...user('1'), shallow } }));
  });
});
