import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryDirectory } from '../src/Directory.js';
import type { GatewayServer } from '../src/GatewayServer.js';
import type { VoiceAllocator, VoiceMove } from '../src/ports/VoiceAllocator.js';
import { connect, delay, GUILD_A, guild, startServer, type TestClient } from './helpers.js';

const VOICE = `${GUILD_A}2`;
const OTHER_VOICE = `${GUILD_A}3`;

/** An allocator whose channels "move" on demand: the endpoint of a channel is `node<generation>`. */
function movingAllocator() {
  const listeners = new Set<(move: VoiceMove) => void>();
  let generation = 1;
  const allocator: VoiceAllocator = {
    allocate: async ({ channelId, userId }) => ({
      endpoint: `node${generation}:443`,
      token: `${channelId}-${userId}-${generation}`,
    }),
    onMove: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const move = (channelId: string) => {
    generation++;
    for (const listener of listeners) listener({ guildId: GUILD_A, channelId });
  };
  return { allocator, move, listeners };
}

let server: GatewayServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function inVoice(userId: string, channelId: string): Promise<TestClient> {
  const c = await connect(server!);
  await c.ready(userId);
  c.send({ op: 4, d: { guild_id: GUILD_A, channel_id: channelId, self_mute: false, self_deaf: false } });
  const vsu = await c.dispatch('VOICE_SERVER_UPDATE');
  expect(vsu.d.endpoint).toBe('node1:443');
  return c;
}

describe('voice channel moves (voice node failover)', () => {
  it('sends a fresh VOICE_SERVER_UPDATE to every session in the moved channel, and only to them', async () => {
    const { allocator, move, listeners } = movingAllocator();
    const directory = new InMemoryDirectory();
    directory.addGuild(
      guild(GUILD_A, ['1', '2', '3'], {
        channels: [
          { id: `${GUILD_A}1`, type: 0, name: 'general' },
          { id: VOICE, type: 2, name: 'voice' },
          { id: OTHER_VOICE, type: 2, name: 'other voice' },
        ],
      }),
    );
    server = await startServer({ voiceAllocator: allocator, directory });
    const a = await inVoice('1', VOICE);
    const b = await inVoice('2', VOICE);
    const c = await inVoice('3', OTHER_VOICE);
    move(VOICE);
    const [va, vb] = await Promise.all([a.dispatch('VOICE_SERVER_UPDATE'), b.dispatch('VOICE_SERVER_UPDATE')]);
    expect(va.d).toEqual({ guild_id: GUILD_A, endpoint: 'node2:443', token: `${VOICE}-1-2` });
    expect(vb.d).toEqual({ guild_id: GUILD_A, endpoint: 'node2:443', token: `${VOICE}-2-2` });
    expect(await server.reallocateVoice(GUILD_A, OTHER_VOICE)).toBe(1);
    expect((await c.dispatch('VOICE_SERVER_UPDATE')).d.endpoint).toBe('node2:443');
    // A user who left voice is not sent one.
    a.send({ op: 4, d: { guild_id: GUILD_A, channel_id: null, self_mute: false, self_deaf: false } });
    await a.next((p) => p.t === 'VOICE_STATE_UPDATE' && p.d.user_id === '1' && p.d.channel_id === null);
    expect(await server.reallocateVoice(GUILD_A, VOICE)).toBe(1);
    await b.dispatch('VOICE_SERVER_UPDATE');
    await delay(50);
    expect(a.received.filter((p) => p.t === 'VOICE_SERVER_UPDATE')).toHaveLength(2);
    // Closing the server unsubscribes from the allocator.
    expect(listeners.size).toBe(1);
    await server.close();
    expect(listeners.size).toBe(0);
    for (const client of [a, b, c]) await client.close();
  });
});
