// Issue #12 item 9: op 4 joins only an existing voice channel of that guild, with CONNECT; without SPEAK the member
// is suppressed. canView is false for a channel the guild does not have.
import { afterEach, describe, expect, it } from 'vitest';
import { type Directory, InMemoryDirectory } from '../src/Directory.js';
import type { GatewayServer } from '../src/GatewayServer.js';
import {
  connect,
  delay,
  GUILD_A,
  GUILD_B,
  guild,
  member,
  type Payload,
  startServer,
  type TestClient,
} from './helpers.js';

const VIEW_CHANNEL = 1n << 10n;
const CONNECT = 1n << 20n;
const SPEAK = 1n << 21n;
const ROLE = '4242';

const TEXT = `${GUILD_A}1`;
const VOICE = `${GUILD_A}2`;
const STAGE = `${GUILD_A}3`;
const LOCKED = `${GUILD_A}4`;
const NO_SPEAK = `${GUILD_A}5`;
const ROLE_ONLY = `${GUILD_A}6`;
const HIDDEN = `${GUILD_A}7`;
const OTHER_GUILD_VOICE = `${GUILD_B}2`;

const deny = (id: string, bits: bigint, type = 0) => ({ id, type, allow: '0', deny: String(bits) });
const allow = (id: string, bits: bigint, type = 0) => ({ id, type, allow: String(bits), deny: '0' });

function voiceDirectory(): InMemoryDirectory {
  const everyone = String(VIEW_CHANNEL | CONNECT | SPEAK);
  const directory = new InMemoryDirectory();
  directory.addGuild(
    guild(GUILD_A, ['1', '2', '3'], {
      channels: [
        { id: TEXT, type: 0, name: 'general' },
        { id: VOICE, type: 2, name: 'voice' },
        { id: STAGE, type: 13, name: 'stage' },
        { id: LOCKED, type: 2, name: 'locked', permission_overwrites: [deny(GUILD_A, CONNECT)] },
        { id: NO_SPEAK, type: 2, name: 'listen only', permission_overwrites: [deny(GUILD_A, SPEAK)] },
        {
          id: ROLE_ONLY,
          type: 2,
          name: 'staff',
          permission_overwrites: [deny(GUILD_A, CONNECT), allow(ROLE, CONNECT)],
        },
        { id: HIDDEN, type: 2, name: 'hidden', permission_overwrites: [deny(GUILD_A, VIEW_CHANNEL)] },
      ],
      roles: [{ id: GUILD_A, name: '@everyone', permissions: everyone, position: 0 }],
      members: [member('1'), member('2'), member('3', [ROLE])],
    }),
  );
  directory.addGuild(
    guild(GUILD_B, ['1', '2'], {
      roles: [{ id: GUILD_B, name: '@everyone', permissions: everyone, position: 0 }],
    }),
  );
  return directory;
}

/** Only the five methods every directory has: what the server falls back on without `channelPermissions`. */
function plainDirectory(inner: InMemoryDirectory): Directory {
  return {
    guildsOf: (userId) => inner.guildsOf(userId),
    guild: (guildId) => inner.guild(guildId),
    members: (guildId, query) => inner.members(guildId, query),
    presences: (guildId, userIds) => inner.presences(guildId, userIds),
    canView: (userId, guildId, channelId) => inner.canView(userId, guildId, channelId),
    setVoiceState: (guildId, state) => inner.setVoiceState(guildId, state),
  };
}

let server: GatewayServer | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = undefined;
});

async function client(userId: string): Promise<TestClient> {
  const c = await connect(server!);
  clients.push(c);
  await c.ready(userId);
  return c;
}

const join = (c: TestClient, channelId: string | null, guildId = GUILD_A) =>
  c.send({ op: 4, d: { guild_id: guildId, channel_id: channelId, self_mute: false, self_deaf: false } });

const stateOf = (userId: string) => (p: Payload) => p.t === 'VOICE_STATE_UPDATE' && p.d.user_id === userId;

describe.each([
  ['InMemoryDirectory', () => voiceDirectory()],
  ['a directory without channelPermissions', () => plainDirectory(voiceDirectory())],
])('op 4 voice join with %s', (_name, makeDirectory) => {
  it.each([
    ['a text channel', TEXT, GUILD_A],
    ['an unknown channel id', `${GUILD_A}99`, GUILD_A],
    ["another guild's voice channel", OTHER_GUILD_VOICE, GUILD_A],
    ['a voice channel denying CONNECT', LOCKED, GUILD_A],
    ['a voice channel the member cannot see', HIDDEN, GUILD_A],
    ['a role-only channel without the role', ROLE_ONLY, GUILD_A],
  ])('ignores a join of %s', async (_what, channelId, guildId) => {
    server = await startServer({ directory: makeDirectory() });
    const watcher = await client('1');
    const c = await client('2');
    join(c, channelId, guildId);
    // A valid join after it: the first voice state anyone sees for user 2 is this one.
    join(c, VOICE);
    const state = await watcher.next(stateOf('2'));
    expect(state.d.channel_id).toBe(VOICE);
    expect(state.d.suppress).toBe(false);
    await c.dispatch('VOICE_SERVER_UPDATE');
    await delay(30);
    expect(watcher.received.filter(stateOf('2'))).toHaveLength(1);
    expect(c.received.filter((p) => p.t === 'VOICE_SERVER_UPDATE')).toHaveLength(1);
  });

  it('lets a member with the allowing role in', async () => {
    server = await startServer({ directory: makeDirectory() });
    const c = await client('3');
    join(c, ROLE_ONLY);
    expect((await c.next(stateOf('3'))).d.channel_id).toBe(ROLE_ONLY);
  });

  it('suppresses a member without SPEAK, and everyone who joins a stage', async () => {
    server = await startServer({ directory: makeDirectory() });
    const c = await client('2');
    join(c, NO_SPEAK);
    const listening = await c.next(stateOf('2'));
    expect(listening.d).toMatchObject({ channel_id: NO_SPEAK, suppress: true, mute: false });
    join(c, STAGE);
    const stage = await c.next(stateOf('2'));
    expect(stage.d).toMatchObject({ channel_id: STAGE, suppress: true });
    // The owner may speak anywhere but still starts a stage as audience, as on Discord.
    const owner = await client('1');
    join(owner, NO_SPEAK);
    expect((await owner.next(stateOf('1'))).d.suppress).toBe(false);
  });
});

describe('Directory.canView / channelPermissions', () => {
  it('canView is false for a channel id the guild does not have (and for another guild’s channel)', () => {
    const directory = voiceDirectory();
    expect(directory.canView('2', GUILD_A, TEXT)).toBe(true);
    expect(directory.canView('2', GUILD_A, `${GUILD_A}99`)).toBe(false);
    expect(directory.canView('2', GUILD_A, OTHER_GUILD_VOICE)).toBe(false);
    expect(directory.canView('2', GUILD_A)).toBe(true);
    expect(directory.canView('9', GUILD_A)).toBe(false);
  });

  it('a thread is seen through its parent channel', () => {
    const directory = voiceDirectory();
    directory.addGuild({
      ...directory.guild(GUILD_A)!,
      threads: [
        { id: '777', type: 11, parent_id: HIDDEN },
        { id: '778', type: 11, parent_id: TEXT },
      ],
    });
    expect(directory.canView('2', GUILD_A, '777')).toBe(false);
    expect(directory.canView('2', GUILD_A, '778')).toBe(true);
  });

  it('channelPermissions answers the bit set and the channel type, or null', () => {
    const directory = voiceDirectory();
    const locked = directory.channelPermissions('2', GUILD_A, LOCKED)!;
    expect(locked.type).toBe(2);
    expect(locked.permissions & CONNECT).toBe(0n);
    expect(directory.channelPermissions('2', GUILD_A, VOICE)!.permissions & (CONNECT | SPEAK)).toBe(CONNECT | SPEAK);
    expect(directory.channelPermissions('2', GUILD_A, OTHER_GUILD_VOICE)).toBeNull();
    expect(directory.channelPermissions('9', GUILD_A, VOICE)).toBeNull();
  });
});
