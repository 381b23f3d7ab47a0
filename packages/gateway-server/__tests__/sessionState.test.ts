import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GuildIds } from '../src/session/GuildIds.js';
import { Session } from '../src/session/Session.js';
import { user } from './helpers.js';

// The per-session state kept compact (issue #19, RSS per session): same behaviour as the plain fields and Set it
// replaces.

describe('GuildIds', () => {
  it('behaves as a Set of ids (has, add, delete, size, insertion order) through its array and Set forms', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 20 })), { maxLength: 120 }), (ops) => {
        const ids = new GuildIds();
        const model = new Set<string>();
        for (const [add, n] of ops) {
          const id = `g${n}`;
          if (add) {
            expect(ids.add(id)).toBe(ids);
            model.add(id);
          } else expect(ids.delete(id)).toBe(model.delete(id));
          expect(ids.size).toBe(model.size);
          expect([...ids]).toEqual([...model]);
          for (let k = 0; k <= 20; k++) expect(ids.has(`g${k}`)).toBe(model.has(`g${k}`));
        }
      }),
    );
  });
});

describe('Session', () => {
  const make = (application?: { id: string; flags: number }, shard: [number, number] = [0, 1]) =>
    new Session({
      sessionId: 's',
      auth: { user: user('7'), ...(application ? { application } : {}) },
      intents: 0,
      shard,
      largeThreshold: 50,
      replayBufferSize: 10,
    });

  it('reads application as the integrator’s, else { id: user id, flags: 0 }', () => {
    expect(make().application).toEqual({ id: '7', flags: 0 });
    const app = { id: '99', flags: 4 };
    expect(make(app).application).toBe(app);
  });

  it('keeps the shard it was given', () => {
    expect(make().shard).toEqual([0, 1]);
    expect(make(undefined, [2, 4]).shard).toEqual([2, 4]);
  });

  it('reads the resume-store fields as their defaults until written, then as written', () => {
    const s = make();
    expect([s.journal, s.gen, s.sentSeq, s.cursors, s.pending, s.catchUp]).toEqual([
      undefined,
      0,
      0,
      undefined,
      null,
      null,
    ]);
    const journal = { append: () => undefined };
    const cursors = new Map([['guild:1', '1-0']]);
    s.journal = journal;
    s.gen = 3;
    s.sentSeq = 9;
    s.cursors = cursors;
    s.pending = [];
    s.catchUp = new Map([['guild:1', '2-0']]);
    expect(s.journal).toBe(journal);
    expect([s.gen, s.sentSeq, s.cursors, s.pending]).toEqual([3, 9, cursors, []]);
    expect(s.alreadySent({ topic: 'guild:1', id: '1-0' })).toBe(true);
    expect(s.alreadySent({ topic: 'guild:1', id: '3-0' })).toBe(false);
    expect(s.catchUp).toBeNull();
  });
});
