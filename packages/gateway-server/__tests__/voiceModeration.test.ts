// Server-side voice moderation: GatewayServer.moveVoiceMember and refreshVoiceState (what a moderator's member edit
// becomes on the node holding the user's voice session).
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryDirectory } from '../src/Directory.js';
import type { GatewayServer } from '../src/GatewayServer.js';
import { connect, GUILD_A, guild, member, type Payload, startServer, type TestClient } from './helpers.js';

const VOICE = `${GUILD_A}2`;
const OTHER = `${GUILD_A}3`;
const EVERYONE = String((1n << 10n) | (1n << 20n) | (1n << 21n));

function directory(): InMemoryDirectory {
  return new InMemoryDirectory().addGuild(
    guild(GUILD_A, ['1', '2'], {
      channels: [
        { id: VOICE, type: 2, name: 'voice' },
        { id: OTHER, type: 2, name: 'other' },
      ],
      roles: [{ id: GUILD_A, name: '@everyone', permissions: EVERYONE, position: 0 }],
      members: [member('1'), member('2')],
    }),
  );
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

const stateOf = (userId: string) => (p: Payload) => p.t === 'VOICE_STATE_UPDATE' && p.d.user_id === userId;

describe('server-side voice moderation', () => {
  it('moves a member to another channel with a new VOICE_SERVER_UPDATE, then disconnects them', async () => {
    const dir = directory();
    server = await startServer({ directory: dir });
    const watcher = await client('1');
    const c = await client('2');
    c.send({ op: 4, d: { guild_id: GUILD_A, channel_id: VOICE, self_mute: true, self_deaf: false } });
    await watcher.next(stateOf('2'));
    await c.dispatch('VOICE_SERVER_UPDATE');
    expect(await server.moveVoiceMember(GUILD_A, '2', OTHER)).toBe(1);
    const moved = await watcher.next((p) => stateOf('2')(p) && p.d.channel_id === OTHER);
    // The client's own choices (self mute) survive a move.
    expect(moved.d).toMatchObject({ channel_id: OTHER, self_mute: true, session_id: expect.any(String) });
    await c.next(
      (p) => p.t === 'VOICE_SERVER_UPDATE' && c.received.filter((q) => q.t === 'VOICE_SERVER_UPDATE').length === 2,
    );
    expect(dir.guild(GUILD_A)?.voice_states?.[0]?.channel_id).toBe(OTHER);
    expect(await server.moveVoiceMember(GUILD_A, '2', null)).toBe(1);
    expect((await watcher.next((p) => stateOf('2')(p) && p.d.channel_id === null)).d.channel_id).toBeNull();
    expect(dir.guild(GUILD_A)?.voice_states).toEqual([]);
    expect(await server.moveVoiceMember(GUILD_A, '2', VOICE)).toBe(0);
  });

  it('refreshes server mute from the member, and a join reads it too', async () => {
    const dir = directory();
    server = await startServer({ directory: dir });
    const watcher = await client('1');
    const c = await client('2');
    c.send({ op: 4, d: { guild_id: GUILD_A, channel_id: VOICE, self_mute: false, self_deaf: false } });
    expect((await watcher.next(stateOf('2'))).d.mute).toBe(false);
    dir.addMember(GUILD_A, { ...member('2'), mute: true, deaf: true });
    expect(await server.refreshVoiceState(GUILD_A, '2')).toBe(1);
    expect((await watcher.next((p) => stateOf('2')(p) && p.d.mute === true)).d).toMatchObject({
      mute: true,
      deaf: true,
    });
    expect(await server.refreshVoiceState(GUILD_A, '1')).toBe(0);
  });

  it('tells the voice server every state it sends (server mute, deafen, suppress), and a failing one changes nothing', async () => {
    const dir = directory();
    const notices: unknown[] = [];
    let fail = false;
    server = await startServer({
      directory: dir,
      voiceAllocator: {
        allocate: () => ({ endpoint: 'voice.test', token: 't' }),
        voiceStateChanged: async (state) => {
          notices.push(state);
          if (fail) throw new Error('voice server down');
        },
      },
    });
    const watcher = await client('1');
    const c = await client('2');
    c.send({ op: 4, d: { guild_id: GUILD_A, channel_id: VOICE, self_mute: false, self_deaf: false } });
    await watcher.next(stateOf('2'));
    dir.addMember(GUILD_A, { ...member('2'), mute: true });
    fail = true;
    expect(await server.refreshVoiceState(GUILD_A, '2')).toBe(1);
    await watcher.next((p) => stateOf('2')(p) && p.d.mute === true);
    c.send({ op: 4, d: { guild_id: GUILD_A, channel_id: null, self_mute: false, self_deaf: false } });
    await watcher.next((p) => stateOf('2')(p) && p.d.channel_id === null);
    const session = (notices[0] as { sessionId: string }).sessionId;
    expect(notices).toEqual([
      {
        guildId: GUILD_A,
        userId: '2',
        sessionId: session,
        channelId: VOICE,
        mute: false,
        deaf: false,
        suppress: false,
      },
      { guildId: GUILD_A, userId: '2', sessionId: session, channelId: VOICE, mute: true, deaf: false, suppress: false },
      { guildId: GUILD_A, userId: '2', sessionId: session, channelId: null, mute: true, deaf: false, suppress: false },
    ]);
  });
});
