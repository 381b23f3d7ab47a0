// A session in a voice channel that resumes on another node (shared Redis resume store) must still be found there by a
// voice failover: its voice channel travels in the shared session record.
import { requireService } from '@concord/test-services';
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryDirectory } from '../src/Directory.js';
import type { GatewayServer } from '../src/GatewayServer.js';
import type { VoiceAllocator } from '../src/ports/VoiceAllocator.js';
import { startRedisCluster } from './fixtures/redisCluster.js';
import { connect, GUILD_A, guild, startServer } from './helpers.js';

const redisUp = await requireService({
  name: 'redis',
  host: '127.0.0.1',
  port: 6379,
  howToStart: 'bash .ci/services/redis.sh start',
});

const VOICE = `${GUILD_A}2`;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(!redisUp)('voice state across nodes', () => {
  it('a session resumed on node B gets the VOICE_SERVER_UPDATE of a voice failover handled by B', async () => {
    const prefix = `vresume${Date.now().toString(36)}${process.pid}:`;
    const { brokers, stores, close } = await startRedisCluster(prefix);
    cleanups.push(close);
    let generation = 1;
    const allocator: VoiceAllocator = {
      allocate: ({ userId }) => ({ endpoint: `voice${generation}:443`, token: `${userId}-${generation}` }),
    };
    const servers: GatewayServer[] = [];
    for (let i = 0; i < 2; i++) {
      const directory = new InMemoryDirectory();
      directory.addGuild(
        guild(GUILD_A, ['1'], {
          channels: [
            { id: `${GUILD_A}1`, type: 0, name: 'general' },
            { id: VOICE, type: 2, name: 'voice' },
          ],
        }),
      );
      servers.push(
        await startServer({ broker: brokers[i]!, resumeStore: stores[i]!, directory, voiceAllocator: allocator }),
      );
    }
    const [a, b] = servers as [GatewayServer, GatewayServer];
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );

    const first = await connect(a);
    const ready = await first.ready('1');
    first.send({ op: 4, d: { guild_id: GUILD_A, channel_id: VOICE, self_mute: false, self_deaf: false } });
    expect((await first.dispatch('VOICE_SERVER_UPDATE')).d.endpoint).toBe('voice1:443');
    const seq = first.received.filter((p) => p.op === 0).at(-1)!.s as number;
    // Let A's journal commit the voice change before the connection goes.
    await new Promise((resolve) => setTimeout(resolve, 100));
    first.ws.terminate();
    await first.closed;

    const second = await connect(b);
    await second.next((p) => p.op === 10);
    second.send({ op: 6, d: { token: 'token-1', session_id: ready.d.session_id, seq } });
    await second.dispatch('RESUMED');
    expect(b.sessionCount).toBe(1);

    // The voice node of the channel dies; B's allocator moves it and B tells every session of B in that channel.
    generation = 2;
    expect(await b.reallocateVoice(GUILD_A, VOICE)).toBe(1);
    const vsu = await second.dispatch('VOICE_SERVER_UPDATE');
    expect(vsu.d).toEqual({ guild_id: GUILD_A, endpoint: 'voice2:443', token: '1-2' });
    second.ws.terminate();
  });
});
