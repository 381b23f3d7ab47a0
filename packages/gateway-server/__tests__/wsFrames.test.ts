import { getEncoding } from '@concord/protocol';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../src/GatewayServer.js';
import { PreparedDispatch } from '../src/PreparedDispatch.js';
import { ZLIB_HEADER } from '../src/wire/sharedZlib.js';
import { connect, GUILD_A, startServer, type TestClient } from './helpers.js';

/** Reads one unmasked WebSocket frame: [fin+opcode byte, payload], and checks nothing trails it. */
function parseFrame(frame: Buffer): [number, Buffer] {
  expect(frame[0]! & 0x80).toBe(0x80);
  let len = frame[1]! & 127;
  expect(frame[1]! & 0x80).toBe(0);
  let at = 2;
  if (len === 126) {
    len = frame.readUInt16BE(2);
    expect(len).toBeGreaterThanOrEqual(126);
    at = 4;
  } else if (len === 127) {
    len = Number(frame.readBigUInt64BE(2));
    expect(len).toBeGreaterThanOrEqual(65536);
    at = 10;
  }
  expect(frame.length).toBe(at + len);
  return [frame[0]! & 15, frame.subarray(at)];
}

// Payload sizes either side of the 126 and 65 536 byte header boundaries.
const sizes = fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 65_400, max: 65_700 }));
const seqs = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));

describe('prebuilt WebSocket frames', () => {
  for (const name of ['json', 'etf', 'msgpack'] as const) {
    it(`${name}: the frame carries exactly the payload of frame() / zlibFrame(), with the right header`, () => {
      const encoding = getEncoding(name);
      fc.assert(
        fc.property(sizes, seqs, fc.boolean(), (size, seq, first) => {
          const dispatch = new PreparedDispatch('MESSAGE_CREATE', { content: 'x'.repeat(size) });
          const [opcode, payload] = parseFrame(dispatch.wsFrame(encoding, true, seq));
          expect(opcode).toBe(encoding.binary ? 2 : 1);
          expect(payload.equals(dispatch.frame(encoding, true, seq))).toBe(true);
          const [zOpcode, zPayload] = parseFrame(
            dispatch.zlibWsFrame(encoding, true, seq, 6, first ? ZLIB_HEADER : null),
          );
          expect(zOpcode).toBe(2);
          const body = dispatch.zlibFrame(encoding, true, seq, 6);
          expect(zPayload.equals(first ? Buffer.concat([ZLIB_HEADER, body]) : body)).toBe(true);
        }),
        { numRuns: 60 },
      );
    });
  }
});

describe('dispatches written in one tick', () => {
  let server: GatewayServer | undefined;
  const clients: TestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.ws.terminate();
    await server?.close();
    server = undefined;
  });

  for (const query of ['v=10&encoding=json', 'v=10&encoding=json&compress=zlib-stream', 'v=10&encoding=etf']) {
    it(`arrive in order, interleaved with control frames (${query})`, async () => {
      server = await startServer();
      const c = await connect(server, query);
      clients.push(c);
      const ready = await c.ready('1');
      await c.dispatch('GUILD_CREATE');
      const from = c.lastSeq()!;
      const before = c.received.length;
      for (let i = 0; i < 3; i++) {
        server.dispatchToGuild(GUILD_A, 'ORDER_TEST', { i }, { intent: null });
        if (i === 0) server.requestHeartbeat(ready.d.session_id);
      }
      await c.next((p) => p.t === 'ORDER_TEST' && (p.d as { i: number }).i === 2);
      const got = c.received.slice(before).map((p) => (p.op === 0 ? `${p.t}:${p.s}` : `op${p.op}`));
      expect(got).toEqual([`ORDER_TEST:${from + 1}`, 'op1', `ORDER_TEST:${from + 2}`, `ORDER_TEST:${from + 3}`]);
    });
  }
});
