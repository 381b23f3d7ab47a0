import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type DispatchPayload, GatewayConnection } from '../src/index.js';
import { FakeGateway, once } from './helpers/FakeGateway.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const garbage = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.string({ maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  // Plausible-looking payloads with unknown opcodes or wrong shapes. Real commands (0 dispatch, 9 invalid session,
  // 10 hello) are left out: they are meant to change the session, which this property does not model.
  fc
    .record({
      op: fc.integer({ min: -5, max: 50 }).filter((op) => op !== 0 && op !== 9 && op !== 10),
      d: fc.jsonValue(),
      s: fc.jsonValue(),
      t: fc.jsonValue(),
    })
    .map((p) => JSON.stringify(p)),
);

for (const [encoding, compression] of [
  ['json', 'zlib-stream'],
  ['json', null],
  ['etf', 'zlib-stream'],
  ['msgpack', null],
] as const) {
  describe(`garbage frames (${encoding}, ${compression ?? 'uncompressed'})`, () => {
    it('never crash the client: it closes and resumes, and no dispatch is lost or doubled', async () => {
      const gateway = await FakeGateway.start();
      const client = new GatewayConnection({
        token: 't',
        intents: 1,
        url: gateway.url,
        encoding,
        compression,
        backoff: { base: 5, max: 20 },
        invalidSessionDelay: { min: 1, max: 2 },
      });
      cleanups.push(
        () => gateway.close(),
        () => client.destroy(),
      );
      const seqs: number[] = [];
      client.on('dispatch', (p: DispatchPayload) => seqs.push(p.s));
      client.on('error', () => {}); // DECODE_FAILED is expected here
      await client.connect();
      let n = 0;
      await fc.assert(
        fc.asyncProperty(garbage, async (frame) => {
          gateway.last.sendFrame(typeof frame === 'string' ? frame : frame);
          // A probe dispatch: delivered directly, or replayed after the resume the garbage caused.
          const probe = `PROBE_${n++}`;
          const got = once(client, probe);
          const session = gateway.last.session ?? [...gateway.sessions.values()].at(-1);
          if (!session) throw new Error('no session');
          gateway.dispatch(session, probe, {});
          await got;
        }),
        { numRuns: 40 },
      );
      // Strictly increasing within each session: nothing delivered twice.
      for (let i = 1; i < seqs.length; i++) {
        if ((seqs[i] as number) !== 1) expect(seqs[i]).toBeGreaterThan(seqs[i - 1] as number);
      }
      expect(client.status === 'ready' || client.status === 'reconnecting' || client.status === 'resuming').toBe(true);
    }, 30_000);
  });
}
