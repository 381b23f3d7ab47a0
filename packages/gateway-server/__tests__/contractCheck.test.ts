// Issue #13, "fix the cause": the contract check every test run installs (__tests__/contractSetup.ts here,
// examples/chat-server/__tests__/contractSetup.ts) must catch the shapes causes 2–6 were about, and pass what the
// serializers build.
import { describe, expect, it } from 'vitest';
import { type ContractViolation, createContractCheck } from '../src/contract/index.js';
import {
  serializeCurrentUser,
  serializeGuildCreate,
  serializeMember,
  serializeMessage,
  serializeReady,
  serializeRole,
} from '../src/serialize/index.js';
import { GUILD_A, guild, member, user } from './helpers.js';

function check() {
  const seen: ContractViolation[] = [];
  const c = createContractCheck({ onViolation: (v) => seen.push(v) });
  const paths = () => seen.flatMap((v) => v.violations.map((x) => `${v.name} ${x.path} ${x.message}`));
  return { c, seen, paths };
}

const snapshot = guild(GUILD_A, ['1', '2']);
const guildCreate = () =>
  serializeGuildCreate(snapshot, {
    members: snapshot.members,
    presences: [],
    voiceStates: [],
    memberCount: 2,
    large: false,
    joinedAt: '2020-01-01T00:00:00.000Z',
  });

describe('contract check', () => {
  it('passes what the serializers build', () => {
    const { c, paths } = check();
    c.dispatch('GUILD_CREATE', guildCreate());
    c.dispatch(
      'READY',
      serializeReady({
        v: 10,
        user: user('1'),
        guildIds: [GUILD_A],
        sessionId: 's',
        resumeGatewayUrl: 'ws://127.0.0.1:1',
        application: { id: '1', flags: 0 },
      }),
    );
    const message = serializeMessage({
      id: '1200000000000000100',
      channel_id: `${GUILD_A}1`,
      guild_id: GUILD_A,
      author: user('1'),
      content: 'hi',
      timestamp: Date.UTC(2026, 11, 4, 3, 44, 57, 310),
      member: member('1'),
    });
    c.dispatch('MESSAGE_CREATE', message);
    c.rest('POST /channels/:channel_id/messages', 200, { ...message, member: undefined });
    c.rest('GET /guilds/:guild_id/members/:user_id', 200, serializeMember(member('1')));
    c.rest('GET /users/@me', 200, serializeCurrentUser(user('1')));
    expect(paths()).toEqual(['POST /channels/:channel_id/messages 200 $.member is undefined']);
  });

  it('catches a member without flags (cause 2) and a guild without its scalar fields (cause 3)', () => {
    const { c, paths } = check();
    const { flags: _flags, ...memberWithoutFlags } = serializeMember(member('1'));
    const { afk_timeout: _afk, mfa_level: _mfa, ...partialGuild } = guildCreate();
    c.dispatch('GUILD_CREATE', { ...partialGuild, members: [memberWithoutFlags] });
    expect(paths()).toEqual(
      expect.arrayContaining([
        'GUILD_CREATE $.afk_timeout is missing',
        'GUILD_CREATE $.mfa_level is missing',
        'GUILD_CREATE $.members[0].flags is missing',
      ]),
    );
  });

  it('catches a role without colors (cause 4) and a timestamp in toISOString form (cause 5)', () => {
    const { c, paths } = check();
    const { colors: _colors, ...role } = serializeRole(snapshot.roles[0]!);
    c.rest('GET /guilds/:guild_id/members/:user_id', 200, {
      ...serializeMember(member('1')),
      joined_at: '2020-01-01T00:00:00.000Z',
    });
    c.dispatch('GUILD_CREATE', { ...guildCreate(), roles: [role] });
    expect(paths()).toEqual([
      'GET /guilds/:guild_id/members/:user_id 200 $.joined_at is "2020-01-01T00:00:00.000Z", not a timestamp in Discord\'s form',
      'GUILD_CREATE $.roles[0].colors is missing',
    ]);
  });

  it('catches a READY user without mfa_enabled (cause 6), undefined values and bad error bodies', () => {
    const { c, paths } = check();
    c.dispatch('READY', {
      v: 10,
      user: user('1'),
      guilds: [],
      session_id: 's',
      resume_gateway_url: 'ws://x',
      application: { id: '1', flags: 0 },
    });
    c.dispatch('SOME_EVENT', { nested: { value: undefined } });
    c.rest('GET /users/@me', 404, { message: 'Unknown' });
    c.rest('GET /users/@me', 429, { message: 'You are being rate limited.', retry_after: 1, global: false });
    expect(paths()).toEqual(
      expect.arrayContaining([
        'READY $.user.mfa_enabled is missing',
        'READY $.user.public_flags is missing',
        'SOME_EVENT $.nested.value is undefined',
        'GET /users/@me 404 $.code is missing',
      ]),
    );
    expect(paths().some((p) => p.includes('429'))).toBe(false);
  });

  it('does not loop on a cyclic payload', () => {
    const { c } = check();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => c.dispatch('CYCLIC', cyclic)).not.toThrow();
  });
});
