import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { type RolloffModel, spatialize } from '../src/spatial/spatialize.js';
import { waitFor } from './helpers.js';

describe('spatialize', () => {
  it('cuts off beyond range and falls off monotonically inside it, for every model', () => {
    for (const rolloffModel of ['linear', 'inverse', 'exponential'] as RolloffModel[]) {
      const options = { range: 20, rolloffModel, refDistance: 2 };
      expect(spatialize({ x: 0, y: 0 }, { x: 20.01, y: 0 }, options)).toBeNull();
      expect(spatialize({ x: 0, y: 0, z: 0 }, { x: 12, y: 16, z: 0 }, options)).not.toBeNull();
      expect(spatialize({ x: 0, y: 0 }, { x: 1, y: 0 }, options)?.gain).toBe(1);
      let previous = 1;
      for (let d = 2; d <= 20; d += 0.5) {
        const gain = spatialize({ x: d, y: 0 }, { x: 0, y: 0 }, options)!.gain;
        expect(gain).toBeLessThanOrEqual(previous);
        expect(gain).toBeGreaterThanOrEqual(0);
        previous = gain;
      }
    }
  });

  it('pans by the listener’s heading with equal power', () => {
    const options = { range: 100 };
    // Speaker to the east; a listener facing north (+y) hears it on the right, facing south on the left.
    const north = spatialize({ x: 10, y: 0 }, { x: 0, y: 0 }, options)!;
    expect(north.pan).toBeCloseTo(1);
    expect(north.right).toBeGreaterThan(north.left);
    const south = spatialize({ x: 10, y: 0 }, { x: 0, y: 0, yaw: Math.PI }, options)!;
    expect(south.pan).toBeCloseTo(-1);
    // Facing east, it is straight ahead.
    expect(spatialize({ x: 10, y: 0 }, { x: 0, y: 0, yaw: Math.PI / 2 }, options)!.pan).toBeCloseTo(0);
    fc.assert(
      fc.property(
        fc.double({ min: -50, max: 50, noNaN: true }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        fc.double({ min: -10, max: 10, noNaN: true }),
        (x, y, yaw) => {
          const s = spatialize({ x, y }, { x: 0, y: 0, yaw }, options)!;
          expect(s.left ** 2 + s.right ** 2).toBeCloseTo(s.gain ** 2, 9);
          expect(Math.abs(s.pan)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('treats non-finite positions as out of range', () => {
    expect(spatialize({ x: Number.NaN, y: 0 }, { x: 0, y: 0 }, { range: 10 })).toBeNull();
    expect(spatialize({ x: Number.POSITIVE_INFINITY, y: 0 }, { x: 0, y: 0 }, { range: 10 })).toBeNull();
  });
});

describe('positional channel through the SFU', () => {
  let server: VoiceServer;
  beforeAll(async () => {
    server = await createVoiceServer({ heartbeatInterval: 5_000 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('forwards a speaker only to listeners within range, and follows moves', async () => {
    const join = async (userId: string) => {
      const { token, endpoint } = server.allocate({ guildId: 'g', channelId: 'world', userId, sessionId: userId });
      const client = new VoiceClient({ endpoint, token, sessionId: userId, userId, guildId: 'g', rtcpInterval: 0 });
      await client.connect();
      const got: Buffer[] = [];
      client.on('packet', (p) => got.push(p.opus));
      return { client, got };
    };
    server.setPositional('g', 'world', { range: 10, rolloffModel: 'linear' });
    const a = await join('pos-a');
    const near = await join('pos-near');
    const far = await join('pos-far');
    const unplaced = await join('pos-unplaced');
    server.setPosition('pos-a', { x: 0, y: 0 });
    server.setPosition('pos-near', { x: 6, y: 8 });
    server.setPosition('pos-far', { x: 30, y: 0 });
    const dropped = server.stats.dropped.outOfRange;
    for (let i = 0; i < 5; i++) a.client.sendOpus(Buffer.from([0xfc, i]));
    await waitFor(() => near.got.length === 5, 5000, 'near listener');
    // The packets to `far` and `unplaced` were decided in the same synchronous fan-out as those to `near`.
    expect(server.stats.dropped.outOfRange - dropped).toBe(10);
    expect(far.got).toEqual([]);
    expect(unplaced.got).toEqual([]);
    server.setPosition('pos-far', { x: 9, y: 0, z: 1 });
    a.client.sendOpus(Buffer.from([0xfc, 9]));
    await waitFor(() => far.got.length === 1, 5000, 'far listener after moving');
    expect(far.got[0]).toEqual(Buffer.from([0xfc, 9]));
    // Back to a plain channel: everyone hears.
    server.setPositional('g', 'world', null);
    a.client.sendOpus(Buffer.from([0xfc, 10]));
    await waitFor(() => unplaced.got.length === 1, 5000, 'plain channel again');
    for (const m of [a, near, far, unplaced]) m.client.disconnect();
  });
});
