import { getEncoding } from '@concord/protocol';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { PreparedDispatch } from '../src/PreparedDispatch.js';
import { ReplayBuffer } from '../src/session/ReplayBuffer.js';
import { buildTemplate, frameWithSeq } from '../src/wire/frames.js';
import { connect, startServer } from './helpers.js';

// Values every codec round-trips the same way (no undefined, no -0, safe integers, string keys). No `__proto__` key at
// any depth: the msgpack decoder refuses it (prototype pollution), which is its own tested behaviour, not this test's.
const jsonValue = fc
  .jsonValue({ maxDepth: 4 })
  .map((v) => JSON.parse(JSON.stringify(v)) as unknown)
  .filter((v) => !JSON.stringify(v).includes('"__proto__"'));
const data = fc.dictionary(
  fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__'),
  jsonValue,
  { maxKeys: 6 },
);
const seqs = fc.oneof(
  fc.integer({ min: 0, max: 300 }),
  fc.integer({ min: 0, max: 2 ** 32 + 5 }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
);

describe('frame templates', () => {
  for (const name of ['json', 'etf', 'msgpack'] as const) {
    it(`${name}: head + spliced s decodes to the whole payload`, () => {
      const encoding = getEncoding(name);
      fc.assert(
        fc.property(fc.string({ minLength: 1, maxLength: 40 }), data, seqs, (event, d, s) => {
          const frame = frameWithSeq(buildTemplate(encoding, event, d), s);
          const decoded = encoding.decode(name === 'json' ? frame.toString('utf8') : frame) as Record<string, unknown>;
          expect(decoded.op).toBe(0);
          expect(decoded.t).toBe(event);
          expect(Number(decoded.s)).toBe(s);
          expect(decoded.d).toEqual(encoding.decode(encoding.encode(d)));
        }),
        { numRuns: 150 },
      );
    });
  }

  it('encodes a dispatch once per encoding and content variant, whatever the number of recipients', () => {
    const base = getEncoding('json');
    const spy = vi.fn(base.encode);
    const json = { ...base, encode: spy };
    const dispatch = new PreparedDispatch('MESSAGE_CREATE', {
      guild_id: '1',
      content: 'x',
      embeds: [],
      attachments: [],
    });
    for (let s = 1; s <= 100; s++) {
      dispatch.frame(json, true, s);
      dispatch.frame(json, false, s);
    }
    expect(spy).toHaveBeenCalledTimes(2);
    expect(JSON.parse(dispatch.frame(json, false, 7).toString()).d.content).toBe('');
  });
});

describe('replay buffer', () => {
  it('returns exactly the entries after a seq, or null when they were dropped', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 70 }),
        (cap, n, after) => {
          const buffer = new ReplayBuffer(cap);
          const d = new PreparedDispatch('X', {});
          for (let seq = 1; seq <= n; seq++) buffer.push(seq, d, seq % 3 !== 0);
          const got = buffer.since(after);
          const oldest = Math.max(1, n - cap + 1);
          if (after >= n) expect(got).toEqual([]);
          else if (after + 1 < oldest) expect(got).toBeNull();
          else {
            expect(got!.map((e) => e.seq)).toEqual(Array.from({ length: n - after }, (_, i) => after + 1 + i));
            expect(got!.map((e) => e.full)).toEqual(got!.map((e) => e.seq % 3 !== 0));
          }
        },
      ),
    );
  });
});

describe('replay buffer acknowledgements', () => {
  it('after ackThrough(a), since(x) gives the entries after x for every x >= a, and null below a', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 80 })), { maxLength: 80 }),
        fc.integer({ min: 0, max: 90 }),
        (cap, ops, probe) => {
          // ops: -1 pushes the next seq, n >= 0 acknowledges through n.
          const buffer = new ReplayBuffer(cap);
          const d = new PreparedDispatch('X', {});
          let seq = 0;
          let acked = 0;
          for (const op of ops) {
            if (op === -1) buffer.push(++seq, d, true);
            else {
              buffer.ackThrough(op);
              acked = Math.max(acked, Math.min(op, seq));
            }
          }
          const oldest = Math.max(acked + 1, seq - cap + 1, 1);
          expect(buffer.size).toBe(seq - oldest + 1);
          const got = buffer.since(probe);
          if (probe >= seq) expect(got).toEqual([]);
          else if (probe + 1 < oldest) expect(got).toBeNull();
          else expect(got!.map((e) => e.seq)).toEqual(Array.from({ length: seq - probe }, (_, i) => probe + 1 + i));
        },
      ),
    );
  });
});

describe('random client frames', () => {
  it('are answered with a close code, never a crash', async () => {
    const server = await startServer();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('json', 'etf', 'msgpack'),
          fc.uint8Array({ maxLength: 200 }),
          fc.boolean(),
          async (encoding, bytes, binary) => {
            const c = await connect(server, `v=10&encoding=${encoding}`);
            await c.next((p) => p.op === 10);
            c.sendRaw(binary ? Buffer.from(bytes) : Buffer.from(bytes).toString('latin1'), binary);
            c.send({ op: 1, d: null });
            const result = await Promise.race([c.closed, c.next((p) => p.op === 11).then(() => null)]);
            c.ws.terminate();
            if (result !== null) expect([1007, 4001, 4002, 4003, 4004]).toContain(result.code);
          },
        ),
        { numRuns: 60 },
      );
      const c = await connect(server);
      await c.ready('1');
      c.ws.terminate();
    } finally {
      await server.close();
    }
  });
});

describe('shared zlib-stream', () => {
  it('frames from one shared deflate decode in any order on independent inflaters, with large payloads too', async () => {
    const { createZlibStreamInflater } = await import('@concord/protocol/compression');
    const { ZLIB_HEADER, compressIndependent } = await import('../src/wire/sharedZlib.js');
    const json = getEncoding('json');
    const big = { text: 'y'.repeat(200_000), n: Array.from({ length: 2000 }, (_, i) => i) };
    const dispatches = [
      new PreparedDispatch('A', { a: 1 }),
      new PreparedDispatch('B', big),
      new PreparedDispatch('C', {}),
    ];
    for (const order of [
      [0, 1, 2],
      [2, 1, 0],
    ]) {
      const inflater = createZlibStreamInflater();
      const hello = Buffer.concat([ZLIB_HEADER, compressIndependent(Buffer.from('{"op":10}'))]);
      expect(JSON.parse(Buffer.from(inflater.push(hello)!).toString())).toEqual({ op: 10 });
      for (const [seq, i] of order.entries()) {
        const d = dispatches[i]!;
        const frame = d.zlibFrame(json, true, seq + 1000, 6);
        expect([...frame.subarray(-4)]).toEqual([0, 0, 0xff, 0xff]);
        const payload = JSON.parse(Buffer.from(inflater.push(frame)!).toString());
        expect(payload).toEqual({ op: 0, t: d.event, d: d.data, s: seq + 1000 });
      }
    }
  });
});
