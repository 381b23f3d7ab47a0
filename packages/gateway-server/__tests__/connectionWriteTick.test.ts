import { Socket } from 'node:net';
import { getEncoding } from '@concord/protocol';
import { describe, expect, it } from 'vitest';
import { PreparedDispatch } from '../src/PreparedDispatch.js';
import { Connection, type ConnectionHost } from '../src/transport/Connection.js';
import type { GatewaySocket } from '../src/transport/GatewaySocket.js';

/** An upgraded socket, logging writes (and whether it was corked then), corks and uncorks. */
function fakeSocket() {
  const log: string[] = [];
  return {
    log,
    destroyed: false,
    writableCorked: 0,
    writableLength: 0,
    cork() {
      this.writableCorked++;
      log.push('cork');
    },
    uncork() {
      this.writableCorked--;
      log.push('uncork');
    },
    write(_chunk: Buffer) {
      log.push(this.writableCorked > 0 ? 'write(corked)' : 'write');
      return true;
    },
  };
}

const host: ConnectionHost = {
  maxBufferedBytes: 1 << 20,
  payloadCompressionThreshold: 1024,
  zlibLevel: 6,
  metrics: undefined,
  onBackpressure() {},
};

/** A JSON connection over `socket`, open (its gateway socket hands the socket out for whole frames). */
function connectionOn(socket: object): Connection {
  const ws = { readyState: 1, bufferedAmount: 0, send() {}, socket, writableSocket: () => socket };
  return new Connection({
    ws: ws as unknown as GatewaySocket,
    encoding: getEncoding('json'),
    compression: 'none',
    compressor: null,
    host,
    origin: 'localhost',
    now: Date.now(),
  });
}

function connection() {
  const socket = fakeSocket();
  return { conn: connectionOn(socket), log: socket.log };
}

const dispatch = () => new PreparedDispatch('TYPING_START', { channel_id: '1', user_id: '2', timestamp: 3 });
/** Lets the tick end: the connection's end-of-tick callback was queued before this one. */
const endOfTick = () => new Promise<void>((resolve) => process.nextTick(resolve));

describe('Connection write path (one write per frame, coalesced within a tick)', () => {
  it('writes the first frame of a tick at once, without corking', async () => {
    const { conn, log } = connection();
    conn.sendDispatch(dispatch(), true, 1);
    expect(log).toEqual(['write']);
    await endOfTick();
    expect(log).toEqual(['write']);
  });

  it('corks for a second frame in the same tick and writes the rest with the tick’s end', async () => {
    const { conn, log } = connection();
    const d = dispatch();
    conn.sendDispatch(d, true, 1);
    conn.sendDispatch(d, true, 2);
    conn.sendDispatch(d, true, 3);
    expect(log).toEqual(['write', 'cork', 'write(corked)', 'write(corked)']);
    await endOfTick();
    expect(log).toEqual(['write', 'cork', 'write(corked)', 'write(corked)', 'uncork']);
    // A new tick: its first frame is written at once again.
    conn.sendDispatch(d, true, 4);
    expect(log.at(-1)).toBe('write');
    await endOfTick();
  });

  it('sends a burst (READY + GUILD_CREATEs) as one corked write, even as the first frames of the tick', async () => {
    const { conn, log } = connection();
    const d = dispatch();
    conn.burst(() => {
      for (let seq = 1; seq <= 3; seq++) conn.sendDispatch(d, true, seq);
    });
    expect(log).toEqual(['cork', 'write(corked)', 'write(corked)', 'write(corked)']);
    await endOfTick();
    expect(log.at(-1)).toBe('uncork');
    expect(log.filter((e) => e === 'uncork')).toHaveLength(1);
  });

  it('coalesceTick: the first frame of the tick waits too, and every frame of the tick leaves in one write', async () => {
    const { conn, log } = connection();
    const d = dispatch();
    conn.coalesceTick();
    conn.sendDispatch(d, true, 1);
    conn.sendDispatch(d, true, 2);
    expect(log).toEqual(['cork', 'write(corked)', 'write(corked)']);
    await endOfTick();
    expect(log).toEqual(['cork', 'write(corked)', 'write(corked)', 'uncork']);
    // Only for that tick: the next one's first frame goes at once.
    conn.sendDispatch(d, true, 3);
    expect(log.at(-1)).toBe('write');
    await endOfTick();
  });

  it('followNext: the follower runs right after the matching dispatch, and both leave in one write', async () => {
    const { conn, log } = connection();
    const typing = dispatch();
    const voice = new PreparedDispatch('VOICE_STATE_UPDATE', {
      guild_id: '1',
      channel_id: '2',
      user_id: '3',
      session_id: 'a',
      deaf: false,
      mute: false,
      self_deaf: false,
      self_mute: false,
      self_video: false,
      suppress: false,
      request_to_speak_timestamp: null,
    });
    const follow = () => {
      log.push('follow');
      conn.sendDispatch(typing, true, 3);
    };
    conn.followNext((d) => d.event === 'VOICE_STATE_UPDATE', follow);
    conn.sendDispatch(typing, true, 1);
    expect(log).toEqual(['write']);
    await endOfTick();
    conn.sendDispatch(voice, true, 2);
    expect(log).toEqual(['write', 'cork', 'write(corked)', 'follow', 'write(corked)']);
    await endOfTick();
    expect(log.at(-1)).toBe('uncork');
    // Once only.
    conn.sendDispatch(voice, true, 4);
    expect(log.filter((l) => l === 'follow')).toHaveLength(1);
    await endOfTick();
  });

  it('followNext: several followers wait at once, each for its own dispatch, each run once', async () => {
    const { conn, log } = connection();
    const typing = (channel: string) =>
      new PreparedDispatch('TYPING_START', { channel_id: channel, user_id: '2', timestamp: 3 });
    const channelOf = (d: PreparedDispatch) => (d.data as { channel_id: string }).channel_id;
    conn.followNext(
      (d) => channelOf(d) === 'b',
      () => log.push('follow b'),
    );
    conn.followNext(
      (d) => channelOf(d) === 'a',
      () => log.push('follow a'),
    );
    conn.sendDispatch(typing('a'), true, 1);
    conn.sendDispatch(typing('b'), true, 2);
    conn.sendDispatch(typing('a'), true, 3);
    expect(log.filter((l) => l.startsWith('follow'))).toEqual(['follow a', 'follow b']);
    await endOfTick();
  });

  it('unfollow drops a waiting follower', async () => {
    const { conn, log } = connection();
    const follow = () => log.push('follow');
    conn.followNext(() => true, follow);
    conn.unfollow(follow);
    conn.sendDispatch(dispatch(), true, 1);
    expect(log).toEqual(['write']);
    await endOfTick();
  });

  it('keeps connections apart: each one’s first frame of the tick is written at once', async () => {
    const a = connection();
    const b = connection();
    const d = dispatch();
    a.conn.sendDispatch(d, true, 1);
    b.conn.sendDispatch(d, true, 1);
    a.conn.sendDispatch(d, true, 2);
    expect(a.log).toEqual(['write', 'cork', 'write(corked)']);
    expect(b.log).toEqual(['write']);
    await endOfTick();
    expect(a.log.at(-1)).toBe('uncork');
  });
});

describe('Connection frame memory (frames written at once reuse their room in one slab)', () => {
  it('never writes over a frame the socket still holds', async () => {
    // Chunks as the socket got them and a copy of their bytes then; `queue` makes a write stay queued (partial).
    const kept: [Buffer, Buffer][] = [];
    let queue = false;
    const socket = Object.setPrototypeOf(
      {
        destroyed: false,
        writableCorked: 0,
        writableLength: 0,
        cork() {
          this.writableCorked++;
        },
        uncork() {
          this.writableCorked--;
        },
        write(chunk: Buffer) {
          kept.push([chunk, Buffer.from(chunk)]);
          if (queue) this.writableLength += chunk.length;
          return true;
        },
      },
      // The slab is used only under a net.Socket (see the next test).
      Socket.prototype,
    ) as { writableLength: number };
    const conn = connectionOn(socket);
    let seq = 0;
    conn.sendDispatch(dispatch(), true, ++seq); // written at once
    await endOfTick();
    queue = true;
    conn.sendDispatch(dispatch(), true, ++seq); // stays queued: its memory is the socket's now
    await endOfTick();
    conn.sendDispatch(dispatch(), true, ++seq); // behind a queued one
    await endOfTick();
    queue = false;
    socket.writableLength = 0;
    for (let i = 0; i < 3; i++) {
      conn.sendDispatch(dispatch(), true, ++seq);
      conn.sendDispatch(dispatch(), true, ++seq); // corked behind the first of the tick
      await endOfTick();
    }
    // Frames that stay queued each time (a TLS socket's writes complete later): each keeps its own room, across slabs.
    for (let i = 0; i < 1000; i++) {
      queue = true;
      conn.sendDispatch(dispatch(), true, ++seq);
      await endOfTick();
      socket.writableLength = 0;
    }
    queue = false;
    for (const [chunk, copy] of kept.slice(-1000)) expect(chunk.equals(copy)).toBe(true);
    expect(kept).toHaveLength(seq);
    // Frames written at once and in full did share the slab's room (the first two of the corked ticks' pairs).
    expect(kept[3]![0].buffer).toBe(kept[5]![0].buffer);
    expect(kept[3]![0].byteOffset).toBe(kept[5]![0].byteOffset);
    // Only the frames written at once and in full may share memory; every frame the socket kept is intact.
    for (const [chunk, copy] of kept.slice(1, 3)) expect(chunk.equals(copy)).toBe(true);
    for (let i = 3; i < 9; i += 2) expect(kept[i + 1]![0].equals(kept[i + 1]![1])).toBe(true);
    expect(kept.map(([, copy]) => JSON.parse(copy.subarray(2).toString()).s)).toEqual(
      Array.from({ length: seq }, (_, i) => i + 1),
    );
  });

  it('gives each frame its own Buffer under a socket that is not a net.Socket (it may keep what it was given)', () => {
    // A Duplex that keeps the chunk after a synchronous callback, as a PassThrough hands it to its reader.
    const kept: [Buffer, Buffer][] = [];
    const socket = {
      destroyed: false,
      writableCorked: 0,
      writableLength: 0,
      cork() {},
      uncork() {},
      write(chunk: Buffer) {
        kept.push([chunk, Buffer.from(chunk)]);
        return true;
      },
    };
    const conn = connectionOn(socket);
    for (let seq = 1; seq <= 5; seq++) conn.sendDispatch(dispatch(), true, seq);
    for (const [chunk, copy] of kept) expect(chunk.equals(copy)).toBe(true);
    expect(kept.map(([, copy]) => JSON.parse(copy.subarray(2).toString()).s)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('Connection bursts (READY + GUILD_CREATEs) written from the slab', () => {
  /** A net.Socket-like fake recording each write's bytes as they were then; `queue` leaves writes queued. */
  function slabSocket() {
    const writes: Buffer[] = [];
    const chunks: Buffer[] = [];
    const state = { queue: false };
    const socket = Object.setPrototypeOf(
      {
        destroyed: false,
        writableCorked: 0,
        writableLength: 0,
        cork() {
          this.writableCorked++;
        },
        uncork() {
          this.writableCorked--;
        },
        write(chunk: Buffer) {
          writes.push(Buffer.from(chunk));
          chunks.push(chunk);
          if (state.queue) this.writableLength += chunk.length;
          return true;
        },
      },
      Socket.prototype,
    ) as { writableLength: number };
    return { socket, writes, chunks, state };
  }

  /** Splits a run of bytes into its WebSocket frames' JSON payloads. */
  function payloads(bytes: Buffer): { t: string; s: number; d: unknown }[] {
    const out = [];
    let at = 0;
    while (at < bytes.length) {
      let len = bytes[at + 1]! & 127;
      let start = at + 2;
      if (len === 126) {
        len = bytes.readUInt16BE(at + 2);
        start = at + 4;
      } else if (len === 127) {
        len = Number(bytes.readBigUInt64BE(at + 2));
        start = at + 10;
      }
      out.push(JSON.parse(bytes.subarray(start, start + len).toString()));
      at = start + len;
    }
    return out;
  }

  it('writes the whole burst in one write, frames back to back, text dispatches included', async () => {
    const { socket, writes } = slabSocket();
    const conn = connectionOn(socket);
    conn.burst(() => {
      conn.sendDispatch(PreparedDispatch.jsonForOne('TEXT_A', '{"v":10}'), true, 1);
      conn.sendDispatch(PreparedDispatch.jsonForOne('TEXT_B', ['{"id":', Buffer.from('"7"'), '}']), true, 2);
      conn.sendDispatch(dispatch(), true, 3);
    });
    expect(writes).toHaveLength(1);
    expect(payloads(writes[0]!).map((p) => [p.t, p.s, p.d])).toEqual([
      ['TEXT_A', 1, { v: 10 }],
      ['TEXT_B', 2, { id: '7' }],
      ['TYPING_START', 3, { channel_id: '1', user_id: '2', timestamp: 3 }],
    ]);
    // A frame later in the same tick waits for the tick's end (corked), after the burst.
    conn.sendDispatch(dispatch(), true, 4);
    expect(writes).toHaveLength(2);
    expect(socket.writableLength).toBe(0);
    await endOfTick();
  });

  it('keeps the order when the burst outgrows the slab: what fits first, the rest corked after it', async () => {
    const { socket, writes } = slabSocket();
    const conn = connectionOn(socket);
    const big = (n: number) => PreparedDispatch.jsonForOne('TEXT_B', JSON.stringify({ n, pad: 'z'.repeat(30_000) }));
    conn.burst(() => {
      for (let seq = 1; seq <= 5; seq++) conn.sendDispatch(big(seq), true, seq);
    });
    await endOfTick();
    const seen = payloads(Buffer.concat(writes));
    expect(seen.map((p) => p.s)).toEqual([1, 2, 3, 4, 5]);
    expect(seen.map((p) => (p.d as { n: number }).n)).toEqual([1, 2, 3, 4, 5]);
    expect(socket.writableLength).toBe(0);
  });

  it('never writes over a burst the socket still holds', async () => {
    const { socket, writes, chunks, state } = slabSocket();
    const conn = connectionOn(socket);
    state.queue = true;
    conn.burst(() => {
      conn.sendDispatch(PreparedDispatch.jsonForOne('TEXT_A', '{"v":10}'), true, 1);
      conn.sendDispatch(dispatch(), true, 2);
    });
    await endOfTick();
    state.queue = false;
    const other = connectionOn(slabSocket().socket);
    const second = connectionOn(socket);
    socket.writableLength = 0;
    for (let i = 0; i < 50; i++) {
      other.burst(() => other.sendDispatch(PreparedDispatch.jsonForOne('TEXT_A', `{"i":${i}}`), true, 1));
      second.sendDispatch(dispatch(), true, 10 + i);
      await endOfTick();
    }
    expect(chunks[0]!.equals(writes[0]!)).toBe(true);
    expect(payloads(chunks[0]!).map((p) => p.s)).toEqual([1, 2]);
  });

  it('writes a burst left in the slab before a close frame', () => {
    const { socket, writes } = slabSocket();
    const ws = {
      readyState: 1,
      bufferedAmount: 0,
      send() {},
      socket,
      writableSocket: () => socket,
      close() {
        writes.push(Buffer.from('close'));
      },
      terminate() {},
    };
    const conn = new Connection({
      ws: ws as unknown as GatewaySocket,
      encoding: getEncoding('json'),
      compression: 'none',
      compressor: null,
      host,
      origin: 'localhost',
      now: Date.now(),
    });
    conn.burst(() => {
      conn.sendDispatch(dispatch(), true, 1);
      conn.close(4000, 'bye');
    });
    expect(writes.map((w) => (w.toString() === 'close' ? 'close' : 'frames'))).toEqual(['frames', 'close']);
  });
});
