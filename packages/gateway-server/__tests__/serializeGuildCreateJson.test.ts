// GUILD_CREATE as JSON from a per-snapshot template (issue #19, identify throughput): it must be the very bytes
// `JSON.stringify` gives for serializeGuildCreate's object, whatever the guild and the session's part hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildGuildCreate, guildCreateParts } from '../src/buildGuildCreate.js';
import { serializeGuildCreate } from '../src/serialize/serializeGuildCreate.js';
import { guildCreateJsonPieces, serializeGuildCreateJson } from '../src/serialize/serializeGuildCreateJson.js';
import type { GuildMemberData, GuildSnapshot, PresenceData, VoiceStateData } from '../src/types.js';
import type { JsonText } from '../src/wire/frames.js';
import { GUILD_A, guild, member, user } from './helpers.js';

const voiceState = (userId: string): VoiceStateData => ({
  guild_id: GUILD_A,
  channel_id: `${GUILD_A}2`,
  user_id: userId,
  session_id: `s${userId}`,
  deaf: false,
  mute: false,
  self_deaf: false,
  self_mute: true,
  self_video: false,
  suppress: false,
  request_to_speak_timestamp: null,
});
const presence = (userId: string): PresenceData => ({
  user: { id: userId },
  status: 'online',
  activities: [],
  client_status: { desktop: 'online' },
});

const session = (userId: string, largeThreshold = 50) => ({
  userId,
  intents: (1 << 0) | (1 << 8), // GUILDS | GUILD_PRESENCES
  largeThreshold,
});

/** The pieces a frame is written from, as the text they make together. */
function joined(pieces: JsonText | null): string | null {
  if (pieces === null) return null;
  if (typeof pieces === 'string') return pieces;
  return Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p))).toString('utf8');
}

function same(g: GuildSnapshot, userId: string, largeThreshold?: number, largeMembers?: GuildMemberData[]) {
  const parts = guildCreateParts(g, session(userId, largeThreshold), largeMembers);
  expect(serializeGuildCreateJson(g, parts)).toBe(JSON.stringify(serializeGuildCreate(g, parts)));
  // As the bytes a frame carries (a lone surrogate is U+FFFD in UTF-8 either way).
  const utf8 = (text: string) => Buffer.from(text, 'utf8').toString('utf8');
  expect(joined(guildCreateJsonPieces(g, parts))).toBe(utf8(JSON.stringify(serializeGuildCreate(g, parts))));
  expect(JSON.stringify(buildGuildCreate(g, session(userId, largeThreshold), largeMembers))).toBe(
    serializeGuildCreateJson(g, parts),
  );
}

describe('serializeGuildCreateJson', () => {
  it('is the same JSON as the object for a small guild with voice states and presences', () => {
    same(guild(GUILD_A, ['1', '2', '3'], { voice_states: [voiceState('2')], presences: [presence('1')] }), '2');
  });

  it('is the same JSON for a large guild (own member and those in voice only)', () => {
    const ids = Array.from({ length: 80 }, (_, i) => String(i + 1));
    const g = guild(GUILD_A, ids, { voice_states: [voiceState('7')], member_count: 80 });
    same(g, '3');
    same(g, '3', 50, [member('3'), member('7')]);
    // The guild's long pieces go as the bytes kept with its template, the session's values as text.
    const pieces = guildCreateJsonPieces(g, guildCreateParts(g, session('3')))!;
    expect(Array.isArray(pieces)).toBe(true);
    expect((pieces as readonly unknown[]).some((p) => p instanceof Uint8Array)).toBe(true);
    expect((pieces as readonly unknown[]).some((p) => typeof p === 'string')).toBe(true);
  });

  it('is the same JSON for threads, extras an integrator added and strings that need escaping', () => {
    const g = guild(GUILD_A, ['1'], {
      name: 'quote " backslash \\ newline \n nul \u0000 emoji 🎉 lone \ud800',
      threads: [{ id: `${GUILD_A}9`, type: 11, name: 'thread "x"', parent_id: `${GUILD_A}1` }],
      ...({ custom_field: { nested: ['a', 1, null] } } as object),
    });
    same(g, '1');
  });

  it('is the same JSON when the snapshot itself carries fields of the per-session names', () => {
    same(guild(GUILD_A, ['1'], { ...({ large: 'snapshot', joined_at: 'x', lazy: 1 } as object) }), '1');
  });

  it('is the same JSON for any members, nicknames, joined_at and presences (property)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    const memberArb = fc.record({
      id: fc.bigInt({ min: 1n, max: (1n << 63n) - 1n }).map(String),
      nick: fc.option(text, { nil: null }),
      joined: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      name: text,
    });
    fc.assert(
      fc.property(fc.uniqueArray(memberArb, { selector: (m) => m.id, maxLength: 8 }), text, (ms, guildName) => {
        const members: GuildMemberData[] = ms.map((m) => ({
          user: user(m.id, m.name || 'x'),
          nick: m.nick,
          roles: [],
          joined_at: new Date(m.joined).toISOString(),
          deaf: false,
          mute: false,
        }));
        const g: GuildSnapshot = {
          ...guild(GUILD_A, []),
          name: guildName,
          members,
          presences: members.map((m) => presence(m.user.id)),
          voice_states: members.slice(0, 2).map((m) => voiceState(m.user.id)),
        };
        const userId = members[0]?.user.id ?? '1';
        const parts = guildCreateParts(g, session(userId, 3));
        const expected = JSON.stringify(serializeGuildCreate(g, parts));
        expect(serializeGuildCreateJson(g, parts)).toBe(expected);
        // Lone surrogates become U+FFFD in UTF-8 either way: compared as the bytes a frame carries.
        expect(joined(guildCreateJsonPieces(g, parts))).toBe(Buffer.from(expected, 'utf8').toString('utf8'));
      }),
      { numRuns: 200 },
    );
  });
});
