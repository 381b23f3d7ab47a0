import { VoiceCloseCode, VoiceOpcode } from '@concord/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import type { VoiceMemberInfo } from '../src/server/Member.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { makeSelfSignedCert, RawVoiceSocket } from './helpers.js';

const GUILD = 'g';
let server: VoiceServer;
let url: string;

beforeAll(async () => {
  server = await createVoiceServer({
    heartbeatInterval: 5_000,
    authorize: ({ token }) => (token === 'hook-token' ? { channelId: 'hooked' } : null),
  });
  url = `ws://${server.address().host}:${server.address().port}`;
});

afterAll(async () => {
  await server.close();
});

let counter = 0;
async function identified(channelId: string, version: 4 | 8 = 8, userId = `u${++counter}`) {
  const sessionId = `sess-${userId}`;
  const { token } = server.allocate({ guildId: GUILD, channelId, userId, sessionId });
  const socket = await RawVoiceSocket.open(`${url}/?v=${version}`);
  await socket.next(VoiceOpcode.Hello);
  socket.send(VoiceOpcode.Identify, { server_id: GUILD, user_id: userId, session_id: sessionId, token });
  const ready = await socket.next(VoiceOpcode.Ready);
  return { socket, ready, userId, sessionId, token };
}

async function closeCodeAfter(send: (s: RawVoiceSocket) => void, path = '/?v=4'): Promise<number> {
  const socket = await RawVoiceSocket.open(`${url}${path}`);
  await socket.next(VoiceOpcode.Hello);
  send(socket);
  return socket.closed();
}

describe('voice gateway handshake', () => {
  it('says Hello with the interval (and v on v8), and acks heartbeats before Identify', async () => {
    const v4 = await RawVoiceSocket.open(`${url}/?v=4`);
    expect((await v4.next(VoiceOpcode.Hello)).d).toEqual({ heartbeat_interval: 5000 });
    v4.send(VoiceOpcode.Heartbeat, 1234);
    expect(await v4.next(VoiceOpcode.HeartbeatAck)).toEqual({ op: 6, d: 1234 });
    v4.close();
    const v8 = await RawVoiceSocket.open(`${url}/?v=8`);
    expect((await v8.next(VoiceOpcode.Hello)).d).toEqual({ heartbeat_interval: 5000, v: 8 });
    v8.send(VoiceOpcode.Heartbeat, { t: 99, seq_ack: -1 });
    expect(await v8.next(VoiceOpcode.HeartbeatAck)).toEqual({ op: 6, d: { t: 99 } });
    v8.close();
  });

  it('runs Identify → Ready → Select Protocol → Session Description', async () => {
    const { socket, ready } = await identified('flow');
    expect(ready.d).toMatchObject({ ip: '127.0.0.1', port: server.address().udpPort });
    expect(ready.d.ssrc).toBeGreaterThan(0);
    expect(ready.d.modes).toContain('aead_xchacha20_poly1305_rtpsize');
    expect(ready.d.modes).toContain('xsalsa20_poly1305');
    expect(typeof ready.seq).toBe('number');
    // `ip` is accepted in place of `address`.
    socket.send(VoiceOpcode.SelectProtocol, {
      protocol: 'udp',
      data: { ip: '127.0.0.1', port: 50000, mode: 'xsalsa20_poly1305_lite' },
    });
    const description = await socket.next(VoiceOpcode.SessionDescription);
    expect(description.d.mode).toBe('xsalsa20_poly1305_lite');
    expect(description.d.dave_protocol_version).toBe(0);
    expect(description.d.secret_key).toHaveLength(32);
    expect(description.d.secret_key.every((n: number) => Number.isInteger(n) && n >= 0 && n < 256)).toBe(true);
    expect(description.seq).toBeGreaterThan(ready.seq!);
    socket.close();
  });

  it('accepts tokens from the authorize hook and refuses others with 4004', async () => {
    const ok = await RawVoiceSocket.open(`${url}/?v=4`);
    await ok.next(VoiceOpcode.Hello);
    ok.send(VoiceOpcode.Identify, { server_id: GUILD, user_id: 'hooked', session_id: 's', token: 'hook-token' });
    await ok.next(VoiceOpcode.Ready);
    expect(server.members(GUILD, 'hooked').map((m) => m.userId)).toEqual(['hooked']);
    ok.close();
    const code = await closeCodeAfter((s) =>
      s.send(VoiceOpcode.Identify, { server_id: GUILD, user_id: 'x', session_id: 's', token: 'nope' }),
    );
    expect(code).toBe(VoiceCloseCode.AuthenticationFailed);
  });

  it('refuses a token issued for another user (4004) or another guild (4011)', async () => {
    const { token } = server.allocate({ guildId: GUILD, channelId: 'c', userId: 'alice', sessionId: 's' });
    expect(
      await closeCodeAfter((s) =>
        s.send(VoiceOpcode.Identify, { server_id: GUILD, user_id: 'bob', session_id: 's', token }),
      ),
    ).toBe(4004);
    expect(
      await closeCodeAfter((s) =>
        s.send(VoiceOpcode.Identify, { server_id: 'other', user_id: 'alice', session_id: 's', token }),
      ),
    ).toBe(VoiceCloseCode.ServerNotFound);
  });
});

describe('voice close codes', () => {
  it.each([
    ['4001 unknown opcode', (s: RawVoiceSocket) => s.send(99, {}), 4001],
    ['4001 server-only opcode', (s: RawVoiceSocket) => s.send(VoiceOpcode.Ready, {}), 4001],
    ['4002 invalid JSON', (s: RawVoiceSocket) => s.ws.send('{nope'), 4002],
    ['4002 binary frame', (s: RawVoiceSocket) => s.ws.send(Buffer.from([1, 2, 3])), 4002],
    ['4002 no opcode', (s: RawVoiceSocket) => s.ws.send('{"d":1}'), 4002],
    ['4002 payload over 4096 bytes', (s: RawVoiceSocket) => s.send(3, 'x'.repeat(5000)), 4002],
    ['4003 Select Protocol before Identify', (s: RawVoiceSocket) => s.send(1, { protocol: 'udp', data: {} }), 4003],
    ['4003 Speaking before Identify', (s: RawVoiceSocket) => s.send(5, { speaking: 1, delay: 0, ssrc: 1 }), 4003],
    ['4020 Identify without fields', (s: RawVoiceSocket) => s.send(0, { token: 'x' }), 4020],
    [
      '4006 Resume of an unknown session',
      (s: RawVoiceSocket) => s.send(7, { server_id: 'g', session_id: 's', token: 't' }),
      4006,
    ],
  ] as const)('%s', async (_name, send, expected) => {
    expect(await closeCodeAfter(send)).toBe(expected);
  });

  it('4020 for an unsupported gateway version', async () => {
    const socket = await RawVoiceSocket.open(`${url}/?v=99`);
    expect(await socket.closed()).toBe(VoiceCloseCode.BadRequest);
  });

  it('4005 on a second Identify', async () => {
    const { socket, userId, sessionId, token } = await identified('twice');
    socket.send(VoiceOpcode.Identify, { server_id: GUILD, user_id: userId, session_id: sessionId, token });
    expect(await socket.closed()).toBe(VoiceCloseCode.AlreadyAuthenticated);
  });

  it('4012 unknown protocol, 4016 unknown mode, 4020 missing port', async () => {
    const a = await identified('sp');
    // 'webrtc' is served (browsers, webrtc.test.ts); a protocol nobody speaks is not.
    a.socket.send(VoiceOpcode.SelectProtocol, { protocol: 'tcp', data: 'sdp' });
    expect(await a.socket.closed()).toBe(VoiceCloseCode.UnknownProtocol);
    const b = await identified('sp');
    b.socket.send(VoiceOpcode.SelectProtocol, {
      protocol: 'udp',
      data: { address: '1.2.3.4', port: 1, mode: 'plain' },
    });
    expect(await b.socket.closed()).toBe(VoiceCloseCode.UnknownEncryptionMode);
    const c = await identified('sp');
    c.socket.send(VoiceOpcode.SelectProtocol, {
      protocol: 'udp',
      data: { address: '1.2.3.4', mode: 'xsalsa20_poly1305' },
    });
    expect(await c.socket.closed()).toBe(VoiceCloseCode.BadRequest);
  });

  it('4014 when kicked, then 4006 for a Resume of that session', async () => {
    const { socket, userId, sessionId, token } = await identified('kick');
    server.disconnect(userId);
    expect(await socket.closed()).toBe(VoiceCloseCode.Disconnected);
    const again = await RawVoiceSocket.open(`${url}/?v=8`);
    again.send(VoiceOpcode.Resume, { server_id: GUILD, session_id: sessionId, token });
    expect(await again.closed()).toBe(VoiceCloseCode.SessionNoLongerValid);
  });

  it('release (the gateway contract: the user left voice in the main gateway) ends the voice connection with 4014', async () => {
    const { socket, userId, sessionId } = await identified('released');
    server.release({ guildId: GUILD, userId, sessionId });
    expect(await socket.closed()).toBe(VoiceCloseCode.Disconnected);
    expect(server.members(GUILD, 'released')).toEqual([]);
    expect(server.room(GUILD, 'released')).toBeUndefined();
  });

  it('4022 for every member when the call ends', async () => {
    const a = await identified('ended');
    const b = await identified('ended');
    server.endCall(GUILD, 'ended');
    expect(await a.socket.closed()).toBe(VoiceCloseCode.CallTerminated);
    expect(await b.socket.closed()).toBe(VoiceCloseCode.CallTerminated);
    expect(server.members(GUILD, 'ended')).toEqual([]);
  });

  it('4006 for the old connection when the same user identifies again', async () => {
    const first = await identified('dup', 8, 'dup-user');
    await identified('dup', 8, 'dup-user');
    expect(await first.socket.closed()).toBe(VoiceCloseCode.SessionNoLongerValid);
  });

  it('4021 past the command rate limit and 4009 after a silent interval', async () => {
    const strict = await createVoiceServer({ heartbeatInterval: 200, rateLimit: { commands: 5, windowMs: 60_000 } });
    try {
      const base = `ws://127.0.0.1:${strict.address().port}/?v=4`;
      const chatty = await RawVoiceSocket.open(base);
      for (let i = 0; i < 6; i++) chatty.send(VoiceOpcode.Heartbeat, i);
      expect(await chatty.closed()).toBe(VoiceCloseCode.RateLimited);
      const silent = await RawVoiceSocket.open(base);
      expect(await silent.closed(5000)).toBe(VoiceCloseCode.SessionTimeout);
    } finally {
      await strict.close();
    }
  });
});

describe('voice gateway events', () => {
  it('announces members (op 11 / op 13) and relays Speaking with the server-assigned SSRC', async () => {
    const joins: VoiceMemberInfo[] = [];
    const leaves: string[] = [];
    server.on('memberJoin', (m) => joins.push(m));
    server.on('memberLeave', (m, reason) => leaves.push(`${m.userId}:${reason}`));
    const a = await identified('events', 8, 'ev-a');
    const b = await identified('events', 4, 'ev-b');
    expect((await a.socket.next(VoiceOpcode.ClientsConnect)).d).toEqual({ user_ids: ['ev-b'] });
    expect((await b.socket.next(VoiceOpcode.ClientsConnect)).d).toEqual({ user_ids: ['ev-a'] });
    // The newcomer learns existing SSRCs up front.
    expect((await b.socket.next(VoiceOpcode.Speaking)).d).toEqual({
      speaking: 0,
      ssrc: a.ready.d.ssrc,
      user_id: 'ev-a',
    });
    a.socket.send(VoiceOpcode.Speaking, { speaking: 5, delay: 0, ssrc: 12345 });
    expect((await b.socket.next(VoiceOpcode.Speaking)).d).toEqual({
      speaking: 5,
      ssrc: a.ready.d.ssrc,
      user_id: 'ev-a',
    });
    b.socket.close(1000);
    expect((await a.socket.next(VoiceOpcode.ClientDisconnect)).d).toEqual({ user_id: 'ev-b' });
    expect(joins.map((j) => j.userId)).toEqual(['ev-a', 'ev-b']);
    expect(leaves).toEqual(['ev-b:left']);
    expect(a.socket.messages.filter((m) => m.op === VoiceOpcode.Speaking)).toHaveLength(0);
    a.socket.close();
    server.removeAllListeners();
  });

  it('v8: numbers server messages and replays the missed ones on Resume, then Resumed', async () => {
    const a = await identified('resume', 8, 'rs-a');
    const b = await identified('resume', 8, 'rs-b');
    const lastSeen = (await a.socket.next(VoiceOpcode.ClientsConnect)).seq!;
    // Drop A's connection without a goodbye: the session stays resumable.
    a.socket.close(4000);
    await a.socket.closed();
    const relayed = new Promise((resolve) => server.once('speaking', resolve));
    b.socket.send(VoiceOpcode.Speaking, { speaking: 1, delay: 0, ssrc: 0 });
    await relayed;
    const resumed = await RawVoiceSocket.open(`${url}/?v=8`);
    await resumed.next(VoiceOpcode.Hello);
    resumed.send(VoiceOpcode.Resume, { server_id: GUILD, session_id: a.sessionId, token: a.token, seq_ack: lastSeen });
    await resumed.next(VoiceOpcode.Resumed);
    const missed = resumed.messages.filter((m) => m.op === VoiceOpcode.Speaking);
    expect(missed).toEqual([{ op: 5, d: { speaking: 1, ssrc: b.ready.d.ssrc, user_id: 'rs-b' }, seq: lastSeen + 1 }]);
    // Live messages continue the numbering.
    b.socket.send(VoiceOpcode.Speaking, { speaking: 0, delay: 0, ssrc: 0 });
    const next = await resumed.next(VoiceOpcode.Speaking);
    expect(next.seq).toBe(lastSeen + 2);
    resumed.close();
    b.socket.close();
  });

  it('Resume takes over from a still-open connection, and a second Select Protocol re-keys', async () => {
    const a = await identified('takeover', 8, 'to-a');
    a.socket.send(VoiceOpcode.SelectProtocol, {
      protocol: 'udp',
      data: { address: '127.0.0.1', port: 40000, mode: 'xsalsa20_poly1305' },
    });
    const first = (await a.socket.next(VoiceOpcode.SessionDescription)).d.secret_key;
    const fresh = await RawVoiceSocket.open(`${url}/?v=8`);
    fresh.send(VoiceOpcode.Resume, { server_id: GUILD, session_id: a.sessionId, token: a.token, seq_ack: 1_000 });
    await fresh.next(VoiceOpcode.Resumed);
    expect(await a.socket.closed()).toBe(1000);
    fresh.send(VoiceOpcode.SelectProtocol, {
      protocol: 'udp',
      data: { address: '127.0.0.1', port: 40000, mode: 'aead_aes256_gcm_rtpsize' },
    });
    const second = await fresh.next(VoiceOpcode.SessionDescription);
    expect(second.d.mode).toBe('aead_aes256_gcm_rtpsize');
    expect(second.d.secret_key).not.toEqual(first);
    expect(server.members(GUILD, 'takeover')[0]!.mode).toBe('aead_aes256_gcm_rtpsize');
    fresh.close();
  });

  it('closes clients with 1001 when the server shuts down', async () => {
    const local = await createVoiceServer();
    const { token, endpoint } = local.allocate({ guildId: 'g', channelId: 'c', userId: 'u', sessionId: 's' });
    const client = new VoiceClient({ endpoint, token, sessionId: 's', userId: 'u', guildId: 'g' });
    await client.connect();
    const closed = new Promise<number>((resolve) => client.once('close', resolve));
    await local.close();
    expect(await closed).toBe(1001);
    await expect(
      new VoiceClient({ endpoint, token, sessionId: 's', userId: 'u', guildId: 'g', timeout: 2000 }).connect(),
    ).rejects.toBeInstanceOf(Error);
  });

  it('v8: heartbeat seq_ack drops acknowledged messages from the resume buffer', async () => {
    const a = await identified('acked', 8, 'ack-a');
    const b = await identified('acked', 8, 'ack-b');
    const joined = await a.socket.next(VoiceOpcode.ClientsConnect);
    a.socket.send(VoiceOpcode.Heartbeat, { t: 1, seq_ack: joined.seq });
    await a.socket.next(VoiceOpcode.HeartbeatAck);
    a.socket.close(4000);
    await a.socket.closed();
    const resumed = await RawVoiceSocket.open(`${url}/?v=8`);
    // Asking for everything: only what was not acknowledged (nothing) can come back.
    resumed.send(VoiceOpcode.Resume, { server_id: GUILD, session_id: a.sessionId, token: a.token, seq_ack: 0 });
    await resumed.next(VoiceOpcode.Resumed);
    expect(resumed.messages.filter((m) => typeof m.seq === 'number')).toEqual([]);
    resumed.close();
    b.socket.close();
  });

  it('closes with the given code, e.g. 4015 when draining a node', async () => {
    const local = await createVoiceServer();
    const { token } = local.allocate({ guildId: 'g', channelId: 'c', userId: 'u', sessionId: 's' });
    const socket = await RawVoiceSocket.open(`ws://127.0.0.1:${local.address().port}/?v=8`);
    socket.send(VoiceOpcode.Identify, { server_id: 'g', user_id: 'u', session_id: 's', token });
    await socket.next(VoiceOpcode.Ready);
    await local.close(VoiceCloseCode.VoiceServerCrashed);
    expect(await socket.closed()).toBe(4015);
  });

  it('serves wss:// with a configured certificate', async () => {
    const cert = makeSelfSignedCert();
    if (!cert) {
      if (process.env.CI === 'true') throw new Error('openssl is required for the wss:// test');
      return console.warn('openssl not found: wss test skipped (apt-get install openssl)');
    }
    const tls = await createVoiceServer({ tls: cert });
    try {
      const socket = await RawVoiceSocket.open(`wss://127.0.0.1:${tls.address().port}/?v=8`, { ca: cert.cert });
      expect((await socket.next(VoiceOpcode.Hello)).d.v).toBe(8);
      socket.close();
      const { token, endpoint } = tls.allocate({ guildId: 'g', channelId: 'c', userId: 'u', sessionId: 's' });
      const client = new VoiceClient({
        endpoint,
        token,
        sessionId: 's',
        userId: 'u',
        guildId: 'g',
        secure: true,
        tls: { ca: cert.cert },
      });
      await client.connect();
      expect(client.mode).toBe('aead_aes256_gcm_rtpsize');
      client.disconnect();
    } finally {
      await tls.close();
    }
  });
});
