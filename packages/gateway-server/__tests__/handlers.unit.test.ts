import { describe, expect, it } from 'vitest';
import { PresenceHandler } from '../src/handlers/PresenceHandler.js';
import { VoiceStateHandler } from '../src/handlers/VoiceStateHandler.js';
import { createStaticVoiceAllocator } from '../src/ports/VoiceAllocator.js';
import { Session } from '../src/session/Session.js';
import type { PresenceData } from '../src/types.js';
import { defaultDirectory, GUILD_A, GUILD_B, user } from './helpers.js';

// Command handlers run on a narrow context and a `close`-able client: no server, no socket.

function session(userId: string, guilds: string[]): Session {
  const s = new Session({
    sessionId: `s${userId}`,
    auth: { user: user(userId) },
    intents: 0,
    shard: [0, 1],
    largeThreshold: 50,
    replayBufferSize: 100,
  });
  for (const id of guilds) s.guilds.add(id);
  return s;
}

function client() {
  const closes: [number, string | undefined][] = [];
  return { closes, close: (code: number, reason?: string) => void closes.push([code, reason]) };
}

/** What a session was sent (without a connection it is all in its replay buffer). */
const sentTo = (s: Session) => (s.replay.since(0) ?? []).map((e) => [e.dispatch.event, e.dispatch.data]);

describe('PresenceHandler (op 3)', () => {
  function presenceHandler() {
    const recorded: [string, PresenceData][] = [];
    const dispatched: [string, string, unknown][] = [];
    const handler = new PresenceHandler({
      directory: { setPresence: (userId, presence) => void recorded.push([userId, presence]) },
      lazy: undefined,
      dispatchToGuild: (guildId, event, data) => void dispatched.push([guildId, event, data]),
      touch: () => undefined,
      reportError: (message, error) => {
        throw new Error(`${message}: ${String(error)}`);
      },
    });
    return { handler, recorded, dispatched };
  }

  it('relays a valid presence to each guild of the session, invisible shown as offline', () => {
    const { handler, recorded, dispatched } = presenceHandler();
    const s = session('1', [GUILD_A, GUILD_B]);
    const c = client();
    handler.update(c, s, { status: 'invisible', activities: [], since: null, afk: false });
    expect(c.closes).toEqual([]);
    expect(dispatched.map(([guildId, event]) => [guildId, event])).toEqual([
      [GUILD_A, 'PRESENCE_UPDATE'],
      [GUILD_B, 'PRESENCE_UPDATE'],
    ]);
    expect(dispatched[0]![2]).toMatchObject({ user: { id: '1' }, status: 'offline', guild_id: GUILD_A });
    // The directory keeps what the user chose (invisible), others see offline.
    expect(recorded).toEqual([['1', expect.objectContaining({ status: 'invisible' })]]);
  });

  it('closes with 4002 on a malformed presence and relays nothing', () => {
    const { handler, recorded, dispatched } = presenceHandler();
    const c = client();
    handler.update(c, session('1', [GUILD_A]), { status: 'sleeping', activities: [] });
    expect(c.closes).toEqual([[4002, 'Invalid presence']]);
    expect(dispatched).toEqual([]);
    expect(recorded).toEqual([]);
  });

  it('announces a user offline when their last session ends, only if a presence was shown', () => {
    const { handler, dispatched } = presenceHandler();
    handler.lastSessionEnded(session('2', [GUILD_A]), [GUILD_A]);
    expect(dispatched).toEqual([]);
    const s = session('1', [GUILD_A]);
    handler.set(s, { status: 'online', activities: [], since: null, afk: false });
    handler.lastSessionEnded(s, [GUILD_A]);
    expect(dispatched.at(-1)).toEqual([GUILD_A, 'PRESENCE_UPDATE', expect.objectContaining({ status: 'offline' })]);
  });
});

describe('VoiceStateHandler (op 4)', () => {
  it('joins a voice channel: VOICE_STATE_UPDATE for the guild, VOICE_SERVER_UPDATE for the session', async () => {
    const directory = defaultDirectory();
    const dispatched: [string, string, unknown][] = [];
    const handler = new VoiceStateHandler({
      directory,
      voiceAllocator: createStaticVoiceAllocator('voice.example:443'),
      dispatchToGuild: (guildId, event, data) => void dispatched.push([guildId, event, data]),
      touch: () => undefined,
      inGuild: () => undefined,
    });
    const s = session('1', [GUILD_A]);
    const c = client();
    await handler.update(c, s, { guild_id: GUILD_A, channel_id: `${GUILD_A}2`, self_mute: false, self_deaf: true });
    expect(c.closes).toEqual([]);
    expect(s.voice?.get(GUILD_A)).toBe(`${GUILD_A}2`);
    expect(dispatched).toEqual([
      [GUILD_A, 'VOICE_STATE_UPDATE', expect.objectContaining({ channel_id: `${GUILD_A}2`, self_deaf: true })],
    ]);
    expect(sentTo(s)).toEqual([
      ['VOICE_SERVER_UPDATE', expect.objectContaining({ guild_id: GUILD_A, endpoint: 'voice.example:443' })],
    ]);

    // A text channel is not joinable: ignored, as Discord does; a malformed state closes with 4002.
    await handler.update(c, s, { guild_id: GUILD_A, channel_id: `${GUILD_A}1`, self_mute: false, self_deaf: false });
    expect(dispatched).toHaveLength(1);
    await handler.update(c, s, { guild_id: GUILD_A, channel_id: 'abc', self_mute: false, self_deaf: false });
    expect(c.closes).toEqual([[4002, 'Invalid voice state']]);
  });
});
