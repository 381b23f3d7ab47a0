// The default InMemoryDirectory computes permissions as Discord does (@concord/protocol/permissions): timeouts and
// implicit denials included, not only roles and overwrites.
import { describe, expect, it } from 'vitest';
import { InMemoryDirectory } from '../src/Directory.js';
import { GUILD_A, guild, member } from './helpers.js';

const VIEW = 1n << 10n;
const SEND = 1n << 11n;
const ATTACH = 1n << 15n;
const HISTORY = 1n << 16n;
const CONNECT = 1n << 20n;
const SPEAK = 1n << 21n;
const TEXT = `${GUILD_A}1`;
const VOICE = `${GUILD_A}2`;

function directory(overrides: { everyone?: bigint; voiceDeny?: bigint; textDeny?: bigint } = {}) {
  const everyone = overrides.everyone ?? VIEW | SEND | ATTACH | HISTORY | CONNECT | SPEAK;
  return new InMemoryDirectory().addGuild(
    guild(GUILD_A, ['1', '2'], {
      channels: [
        {
          id: TEXT,
          type: 0,
          name: 'general',
          permission_overwrites: [{ id: GUILD_A, type: 0, allow: '0', deny: String(overrides.textDeny ?? 0n) }],
        },
        {
          id: VOICE,
          type: 2,
          name: 'voice',
          permission_overwrites: [{ id: GUILD_A, type: 0, allow: '0', deny: String(overrides.voiceDeny ?? 0n) }],
        },
      ],
      // @everyone listed last: found by id, wherever it is.
      roles: [
        { id: '77', name: 'other', permissions: '0', position: 1 },
        { id: GUILD_A, name: '@everyone', permissions: String(everyone), position: 0 },
      ],
      members: [member('1'), member('2')],
    }),
  );
}

describe('the default directory’s permissions', () => {
  it('a timed-out member keeps VIEW_CHANNEL and READ_MESSAGE_HISTORY only', () => {
    const dir = directory();
    dir.addMember(GUILD_A, {
      ...member('2'),
      communication_disabled_until: new Date(Date.now() + 60_000).toISOString(),
    });
    const voice = dir.channelPermissions('2', GUILD_A, VOICE)!.permissions;
    expect(voice & CONNECT).toBe(0n);
    expect(dir.channelPermissions('2', GUILD_A, TEXT)!.permissions).toBe(VIEW | HISTORY);
    expect(dir.canView('2', GUILD_A, TEXT)).toBe(true);
  });

  it('without CONNECT in a voice channel, SPEAK goes too; without SEND_MESSAGES, ATTACH_FILES goes too', () => {
    const dir = directory({ voiceDeny: CONNECT, textDeny: SEND });
    expect(dir.channelPermissions('2', GUILD_A, VOICE)!.permissions & SPEAK).toBe(0n);
    expect(dir.channelPermissions('2', GUILD_A, TEXT)!.permissions & ATTACH).toBe(0n);
    expect(dir.channelPermissions('1', GUILD_A, TEXT)!.permissions & ATTACH).toBe(ATTACH);
  });

  it('no VIEW_CHANNEL means nothing at all', () => {
    const dir = directory({ textDeny: VIEW });
    expect(dir.channelPermissions('2', GUILD_A, TEXT)!.permissions).toBe(0n);
    expect(dir.canView('2', GUILD_A, TEXT)).toBe(false);
  });
});
