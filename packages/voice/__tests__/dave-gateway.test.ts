// DAVE on the voice gateway's wire: negotiation (Identify's max_dave_protocol_version → Session Description's
// dave_protocol_version), binary frames (numbered with the JSON messages), refusals (binary frames without DAVE,
// malformed MLS, unknown binary opcodes → 4002; a binary opcode sent as JSON → 4001) and the rate limit counting them.
import { once } from 'node:events';
import Davey from '@snazzah/davey';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DaveOpcode } from '../src/dave/daveFrames.js';
import { TlsReader } from '../src/dave/mlsEncoding.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { waitFor } from './helpers.js';

const GUILD = '1400000000000000001';
let server: VoiceServer;
let limited: VoiceServer;

beforeAll(async () => {
  server = await createVoiceServer({ heartbeatInterval: 5_000 });
  limited = await createVoiceServer({ heartbeatInterval: 5_000, rateLimit: { commands: 6, windowMs: 60_000 } });
});

afterAll(async () => {
  await server.close();
  await limited.close();
});

interface Frame {
  op: number;
  seq?: number;
  d?: Record<string, unknown>;
  binary?: Buffer;
}

/** A v8 voice gateway connection that keeps JSON and binary messages in arrival order. */
class Socket {
  public readonly frames: Frame[] = [];
  public code: number | null = null;
  #cursor = 0;

  constructor(public readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) this.frames.push({ op: data[2]!, seq: data.readUInt16BE(0), binary: data.subarray(3) });
      else this.frames.push(JSON.parse(String(data)));
    });
    ws.on('close', (code) => {
      this.code = code;
    });
  }

  send(op: number, d: unknown): void {
    this.ws.send(JSON.stringify({ op, d }));
  }

  sendBinary(op: number, payload: Buffer): void {
    this.ws.send(Buffer.concat([Buffer.from([op]), payload]));
  }

  async next(op: number): Promise<Frame> {
    let found: Frame | undefined;
    await waitFor(
      () => {
        while (this.#cursor < this.frames.length) {
          const f = this.frames[this.#cursor++]!;
          if (f.op === op) {
            found = f;
            return true;
          }
        }
        return false;
      },
      3000,
      `op ${op}`,
    );
    return found!;
  }

  async closed(): Promise<number> {
    await waitFor(() => this.code !== null, 3000, 'close');
    return this.code!;
  }
}

/** Identify (+ Select Protocol) as `userId` in `channelId`, saying `maxDave` when given. */
async function join(on: VoiceServer, channelId: string, userId: string, maxDave?: number) {
  const sessionId = `s-${userId}`;
  const { token } = on.allocate({ guildId: GUILD, channelId, userId, sessionId });
  const ws = new WebSocket(`ws://127.0.0.1:${on.address().port}/?v=8`);
  const socket = new Socket(ws);
  await once(ws, 'open');
  await socket.next(8);
  socket.send(0, {
    server_id: GUILD,
    user_id: userId,
    session_id: sessionId,
    token,
    ...(maxDave === undefined ? {} : { max_dave_protocol_version: maxDave }),
  });
  await socket.next(2);
  socket.send(1, { protocol: 'udp', data: { address: '127.0.0.1', port: 50000, mode: 'aead_aes256_gcm_rtpsize' } });
  const description = await socket.next(4);
  return { socket, description };
}

describe('DAVE negotiation on the voice gateway', () => {
  it('describes version 1 to a DAVE client, then sends op 25 (numbered after it) with the external sender', async () => {
    const { socket, description } = await join(server, '1400000000000000010', '1400000000000000011', 1);
    expect(description.d!.dave_protocol_version).toBe(1);
    const external = await socket.next(DaveOpcode.ExternalSender);
    expect(external.seq).toBe(description.seq! + 1);
    // ExternalSender { signature_key<V> (P-256 point), credential { uint16 basic, identity<V> } }
    const r = new TlsReader(external.binary!);
    const key = r.vector();
    expect(key).toHaveLength(65);
    expect(key[0]).toBe(4);
    expect(r.u16()).toBe(1);
    expect(r.vector().length).toBeGreaterThan(0);
    r.end();
    // A davey session takes it as the group's external sender.
    const session = new Davey.DAVESession(1, '1400000000000000011', '1400000000000000010');
    expect(() => session.setExternalSender(external.binary!)).not.toThrow();
    // Its key package is accepted (no close), and an unknown binary opcode is not.
    socket.sendBinary(DaveOpcode.KeyPackage, session.getSerializedKeyPackage());
    socket.sendBinary(DaveOpcode.Proposals, Buffer.from([0, 0]));
    expect(await socket.closed()).toBe(4002);
  });

  it('describes version 0 to a client that did not ask for DAVE, and refuses its binary frames with 4002', async () => {
    const { socket, description } = await join(server, '1400000000000000020', '1400000000000000021');
    expect(description.d!.dave_protocol_version).toBe(0);
    socket.sendBinary(DaveOpcode.KeyPackage, Buffer.from([0, 1, 0, 2]));
    expect(await socket.closed()).toBe(4002);
  });

  it('stays at version 0 when the server has DAVE disabled', async () => {
    const off = await createVoiceServer({ dave: { enabled: false } });
    try {
      const { socket, description } = await join(off, '1400000000000000030', '1400000000000000031', 1);
      expect(description.d!.dave_protocol_version).toBe(0);
      socket.ws.close();
    } finally {
      await off.close();
    }
  });

  it('closes 4002 on a malformed or foreign key package, 4001 on a binary opcode sent as JSON, and keeps serving', async () => {
    const channel = '1400000000000000040';
    const a = await join(server, channel, '1400000000000000041', 1);
    a.socket.sendBinary(DaveOpcode.KeyPackage, Buffer.from([0, 1, 0, 2, 0x7f]));
    expect(await a.socket.closed()).toBe(4002);
    const b = await join(server, channel, '1400000000000000042', 1);
    const someoneElse = new Davey.DAVESession(1, '1400000000000000049', channel);
    b.socket.sendBinary(DaveOpcode.KeyPackage, someoneElse.getSerializedKeyPackage());
    expect(await b.socket.closed()).toBe(4002);
    const c = await join(server, channel, '1400000000000000043', 1);
    c.socket.send(DaveOpcode.KeyPackage, { key_package: 'x' });
    expect(await c.socket.closed()).toBe(4001);
    const d = await join(server, channel, '1400000000000000044', 1);
    expect(d.description.d!.dave_protocol_version).toBe(1);
    d.socket.ws.close();
  });

  it('downgrades the call (op 21 to version 0) when a client without DAVE joins', async () => {
    const channel = '1400000000000000050';
    const a = await join(server, channel, '1400000000000000051', 1);
    expect(a.description.d!.dave_protocol_version).toBe(1);
    const legacy = await join(server, channel, '1400000000000000052');
    expect(legacy.description.d!.dave_protocol_version).toBe(0);
    const prepare = await a.socket.next(DaveOpcode.PrepareTransition);
    expect(prepare.d).toMatchObject({ protocol_version: 0 });
    a.socket.send(DaveOpcode.TransitionReady, { transition_id: prepare.d!.transition_id });
    expect((await a.socket.next(DaveOpcode.ExecuteTransition)).d).toEqual({ transition_id: prepare.d!.transition_id });
    // And back: the legacy client leaves, the call prepares a new group (op 24, epoch 1) and resends op 25.
    legacy.socket.ws.close(1000);
    expect((await a.socket.next(DaveOpcode.PrepareEpoch)).d).toEqual({ protocol_version: 1, epoch: 1 });
    await a.socket.next(DaveOpcode.ExternalSender);
    a.socket.ws.close();
  });

  it('counts binary frames in the command rate limit (4021)', async () => {
    const channel = '1400000000000000060';
    const userId = '1400000000000000061';
    const { socket } = await join(limited, channel, userId, 1);
    const session = new Davey.DAVESession(1, userId, channel);
    // Identify and Select Protocol used 2 of the 6 commands; valid key packages are accepted until the limit.
    for (let i = 0; i < 6; i++) socket.sendBinary(DaveOpcode.KeyPackage, session.getSerializedKeyPackage());
    expect(await socket.closed()).toBe(4021);
  });
});
