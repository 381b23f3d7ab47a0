// Issue #12 item 12: server mixing is capped per node with a refusal the client can read, and the voice gateway closes
// connections that never identify.

import { VoiceCloseCode, VoiceOpcode } from '@concord/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { defaultVoiceServerOptions } from '../src/server/VoiceServerOptions.js';
import { RawVoiceSocket, waitFor } from './helpers.js';

let server: VoiceServer;
let url: string;

beforeAll(async () => {
  server = await createVoiceServer({ heartbeatInterval: 5_000, identifyTimeout: 300, maxMixedListeners: 2 });
  url = `ws://127.0.0.1:${server.address().port}/?v=8`;
});

afterAll(async () => {
  await server.close();
});

async function identify(userId: string, extra: Record<string, unknown> = {}) {
  const { token } = server.allocate({ guildId: 'g', channelId: 'c', userId, sessionId: userId });
  const ws = await RawVoiceSocket.open(url);
  ws.send(VoiceOpcode.Identify, { server_id: 'g', user_id: userId, session_id: userId, token, ...extra });
  const ready = await ws.next(VoiceOpcode.Ready);
  return { ws, ready };
}

describe('identify timeout', () => {
  it('closes a connection that heartbeats but never identifies with 4009', async () => {
    const idle = await RawVoiceSocket.open(url);
    const beat = setInterval(() => idle.send(VoiceOpcode.Heartbeat, { t: Date.now(), seq_ack: -1 }), 50);
    try {
      expect(await idle.closed(3000)).toBe(VoiceCloseCode.SessionTimeout);
    } finally {
      clearInterval(beat);
    }
  });

  it('leaves identified connections alone', async () => {
    const { ws } = await identify('in-time');
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(ws.closeCode).toBeNull();
    ws.close();
  });

  it('has a default like the main gateway (20 s)', () => {
    expect(defaultVoiceServerOptions.identifyTimeout).toBe(20_000);
  });
});

describe('server mixing cap', () => {
  it('grants `mixed` up to maxMixedListeners, then answers mixed:false in Ready and forwards streams instead', async () => {
    const a = await identify('mix-a', { mixed: true });
    const b = await identify('mix-b', { mixed: true });
    const c = await identify('mix-c', { mixed: true });
    expect([a.ready.d.mixed, b.ready.d.mixed, c.ready.d.mixed]).toEqual([true, true, false]);
    // Discord clients never ask: their Ready is unchanged.
    const plain = await identify('mix-plain');
    expect('mixed' in plain.ready.d).toBe(false);
    // The server-side switch is capped too, and says so.
    expect(server.setMixed('mix-plain')).toBe(false);
    expect(server.members('g', 'c').length).toBe(4);
    // A slot frees when a mixed listener leaves.
    a.ws.close(1000);
    await a.ws.closed();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.setMixed('mix-plain')).toBe(true);
    const d = await identify('mix-d', { mixed: true });
    expect(d.ready.d.mixed).toBe(false);
    for (const s of [b, c, plain, d]) s.ws.close(1000);
    await waitFor(() => server.members('g', 'c').length === 0, 3000, 'everyone left');
  });

  it('VoiceClient exposes whether the server granted the mix', async () => {
    const join = async (userId: string) => {
      const { token, endpoint } = server.allocate({ guildId: 'g', channelId: 'vc', userId, sessionId: userId });
      const client = new VoiceClient({ endpoint, token, sessionId: userId, userId, guildId: 'g', mixed: true });
      await client.connect();
      return client;
    };
    const x = await join('vc-x');
    const y = await join('vc-y');
    const z = await join('vc-z');
    expect([x.mixed, y.mixed, z.mixed]).toEqual([true, true, false]);
    for (const c of [x, y, z]) c.disconnect();
  });

  it('defaults to a cap that fits opusscript (about 20 codec instances per process)', () => {
    expect(defaultVoiceServerOptions.maxMixedListeners).toBeGreaterThan(0);
    expect(
      defaultVoiceServerOptions.maxMixedListeners + defaultVoiceServerOptions.maxMixedSpeakers,
    ).toBeLessThanOrEqual(20);
  });
});
