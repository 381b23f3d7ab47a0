import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TextSafety } from '../src/index.js';
import { manualClock } from './helpers.js';

const input = (content: string, authorId = 'p1') => ({ authorId, channelId: 'c', guildId: 'g', content });

describe('TextSafety', () => {
  it('masks listed words (disguised ones too) and leaves clean text alone', () => {
    const safety = new TextSafety({ rateLimit: false });
    expect(safety.check(input('good game everyone'))).toEqual({ action: 'allow' });
    const masked = safety.check(input('what the fuck'));
    expect(masked).toMatchObject({ action: 'mask', reason: 'word list' });
    expect(masked.action === 'mask' && masked.content).toBe('what the ****');
    // Adjacent words: masking one must not leave the other (found by the property below).
    const adjacent = safety.check(input('/sh1tfuck'));
    expect(adjacent.action === 'mask' && safety.check(input(adjacent.content))).toEqual({ action: 'allow' });
    const disguised = safety.check(input('sh1t happens'));
    expect(disguised.action === 'mask' && disguised.content).not.toContain('sh1t');
    // No Scunthorpe problem on the usual cases.
    expect(safety.check(input('an assassin in the class'))).toEqual({ action: 'allow' });
  });

  it('reject and flag actions; the game’s own terms; the English list can be turned off', () => {
    expect(new TextSafety({ action: 'reject', rateLimit: false }).check(input('fuck'))).toMatchObject({
      action: 'reject',
    });
    expect(new TextSafety({ action: 'flag', rateLimit: false }).check(input('fuck'))).toMatchObject({ action: 'flag' });
    const own = new TextSafety({ englishWordList: false, extraTerms: ['aimbot'], rateLimit: false });
    expect(own.check(input('selling aimbot cheap'))).toMatchObject({ action: 'mask', content: 'selling ****** cheap' });
    expect(own.check(input('fuck'))).toEqual({ action: 'allow' });
    // Terms stay with their filter: another instance is unaffected.
    expect(new TextSafety({ rateLimit: false }).check(input('selling aimbot cheap'))).toEqual({ action: 'allow' });
    expect(() => new TextSafety({ extraTerms: ['(.*)'] })).toThrow(RangeError);
  });

  it('rate limits each player on their own, with retry_after until the next message is allowed', () => {
    const clock = manualClock();
    const safety = new TextSafety({ rateLimit: { messages: 3, windowMs: 3000 }, now: clock.now });
    for (let i = 0; i < 3; i++) expect(safety.check(input('hi'))).toEqual({ action: 'allow' });
    expect(safety.check(input('hi'))).toEqual({ action: 'slow', retryAfterSeconds: 1 });
    expect(safety.check(input('hi', 'p2'))).toEqual({ action: 'allow' });
    clock.advance(999);
    expect(safety.check(input('hi'))).toMatchObject({ action: 'slow' });
    clock.advance(1);
    expect(safety.check(input('hi'))).toEqual({ action: 'allow' });
  });

  it('a text mute the player cannot lift, until a time or until unmuted; refusals are kept as evidence', () => {
    const clock = manualClock();
    const safety = new TextSafety({ now: clock.now });
    safety.mute('p1', new Date(clock.now() + 60_000));
    expect(safety.check(input('let me talk'))).toEqual({ action: 'reject', reason: 'muted' });
    expect(safety.isMuted('p1')).toBe(true);
    clock.advance(60_000);
    expect(safety.check(input('ok'))).toEqual({ action: 'allow' });
    safety.mute('p1');
    clock.advance(365 * 86_400_000);
    expect(safety.isMuted('p1')).toBe(true);
    safety.unmute('p1');
    expect(safety.check(input('thanks'))).toEqual({ action: 'allow' });
    expect(safety.evidence('p1').map((e) => [e.action, e.reason, e.content])).toEqual([
      ['reject', 'muted', 'let me talk'],
    ]);
  });

  it('bounds what it keeps: evidence per player, and players tracked', () => {
    const safety = new TextSafety({ action: 'reject', rateLimit: false, keptPerPlayer: 3, maxTrackedPlayers: 10 });
    for (let i = 0; i < 5; i++) safety.check(input(`fuck ${i}`));
    expect(safety.evidence('p1').map((e) => e.content)).toEqual(['fuck 2', 'fuck 3', 'fuck 4']);
    for (let i = 0; i < 20; i++) safety.check(input('hello', `other${i}`));
    expect(safety.evidence('p1')).toEqual([]);
  });

  it('property: never throws, and what it masked passes it (no listed word left)', () => {
    const safety = new TextSafety({ rateLimit: false });
    const words = fc.constantFrom('fuck', 'sh1t', 'fuuuuck', 'b i t c h', 'ａｓｓｈｏｌｅ', 'gg', 'class', ' ');
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 400 }),
      fc.array(fc.oneof(words, fc.string({ maxLength: 6 })), { maxLength: 30 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(text, (t) => {
        const verdict = safety.check(input(t));
        expect(['allow', 'mask', 'reject']).toContain(verdict.action);
        if (verdict.action === 'mask') {
          expect(verdict.content.length).toBeLessThanOrEqual(t.length);
          expect(safety.check(input(verdict.content))).toEqual({ action: 'allow' });
        }
      }),
      { numRuns: 500 },
    );
  });
});
