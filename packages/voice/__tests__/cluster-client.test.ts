import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import { createVoiceNode, probeVoiceNode, type VoiceNode } from '../src/cluster/index.js';
import { signVoiceToken } from '../src/cluster/voiceToken.js';
import { waitFor } from './helpers.js';

// In one process: two voice nodes, VoiceClient.updateServer moving a client from one to the other.

const SECRET = 'client-secret';
let a: VoiceNode;
let b: VoiceNode;

beforeAll(async () => {
  [a, b] = await Promise.all([
    createVoiceNode({ id: 'a', secret: SECRET, region: 'eu' }),
    createVoiceNode({ id: 'b', secret: SECRET }),
  ]);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
});

const token = (node: VoiceNode, userId: string, channelId = 'c') =>
  signVoiceToken(SECRET, {
    guildId: 'g',
    channelId,
    userId,
    sessionId: `s-${userId}`,
    nodeId: node.id,
    expiresAt: Date.now() + 60_000,
  });

const client = (node: VoiceNode, userId: string) =>
  new VoiceClient({
    endpoint: node.endpoint,
    token: token(node, userId),
    userId,
    sessionId: `s-${userId}`,
    guildId: 'g',
    rtcpInterval: 0,
  });

describe('voice node + VoiceClient.updateServer', () => {
  it('accepts only tokens signed for this node, and reports its load', async () => {
    const alice = client(a, 'alice');
    await alice.connect();
    expect(a.status()).toMatchObject({ id: 'a', region: 'eu', channels: 1, sessions: 1, draining: false });
    const res = await fetch(a.healthUrl);
    expect(await res.json()).toMatchObject({ v: 1, id: 'a', endpoint: a.endpoint, channels: 1 });
    expect((await fetch(a.healthUrl.replace('/health', '/other'))).status).toBe(404);
    // A token for node b presented to node a: refused (4004).
    const stray = new VoiceClient({
      endpoint: a.endpoint,
      token: token(b, 'mallory'),
      userId: 'mallory',
      sessionId: 's-mallory',
      guildId: 'g',
      rtcpInterval: 0,
    });
    await expect(stray.connect()).rejects.toMatchObject({ code: 'VOICE_CLOSED' });
    alice.disconnect();
    await waitFor(() => a.status().sessions === 0, 5000, 'alice gone');
    a.drain();
    expect(a.status().draining).toBe(true);
  });

  it('moves to a new endpoint and token; a superseded update does not undo the last one', async () => {
    const alice = client(a, 'alice');
    const bob = client(b, 'bob');
    await Promise.all([alice.connect(), bob.connect()]);
    const heard: string[] = [];
    const stream = bob.subscribe('alice');
    stream.on('data', (opus: Buffer) => heard.push(opus.toString('hex')));
    // Two updates in a row: the first (to a) is superseded by the second (to b) and must not undo it.
    const first = alice.updateServer({ endpoint: a.endpoint, token: token(a, 'alice') });
    const second = alice.updateServer({ endpoint: b.endpoint, token: token(b, 'alice') });
    await expect(first).rejects.toMatchObject({ code: 'VOICE_SUPERSEDED' });
    await second;
    expect(
      b.server
        .members('g', 'c')
        .map((m) => m.userId)
        .sort(),
    ).toEqual(['alice', 'bob']);
    await waitFor(() => a.status().sessions === 0, 5000, 'alice left node a');
    for (let i = 0; i < 5 && heard.length === 0; i++) {
      alice.sendOpus(Buffer.from([0xfc, 1, 2, 3]));
      await new Promise((r) => setTimeout(r, 50));
    }
    await waitFor(() => heard.length > 0, 5000, 'bob hears alice on node b');
    expect(heard[0]).toBe('fc010203');
    // endpoint null: leave and wait (no node up).
    await alice.updateServer({ endpoint: null, token: '' });
    expect(() => alice.sendOpus(Buffer.from([0xfc]))).toThrow();
    await waitFor(() => b.server.members('g', 'c').length === 1, 5000, 'alice left node b');
    bob.disconnect();
  });
});

describe('probeVoiceNode', () => {
  it('gives a typed error for refused, slow, non-200, oversized and garbage answers', async () => {
    const bodies: Record<string, (res: ServerResponse) => void> = {
      '/500': (res) => res.writeHead(500).end(),
      '/garbage': (res) => res.writeHead(200).end('{"v":1,"id":'),
      '/huge': (res) => res.writeHead(200).end('x'.repeat(100_000)),
      '/slow': () => undefined,
      '/ok': (res) => res.writeHead(200).end(JSON.stringify(a.status())),
    };
    const server = createServer((req, res) => bodies[req.url ?? '']?.(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await probeVoiceNode(`${base}/ok`, 1000)).toMatchObject({ v: 1, id: 'a', endpoint: a.endpoint });
      for (const [path, code] of [
        ['/500', 'PROBE_FAILED'],
        ['/garbage', 'BAD_STATUS'],
        ['/huge', 'BAD_STATUS'],
        ['/slow', 'PROBE_FAILED'],
      ] as const) {
        await expect(probeVoiceNode(`${base}${path}`, 200)).rejects.toMatchObject({ name: 'VoiceClusterError', code });
      }
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    // Nothing listens there any more.
    await expect(probeVoiceNode(`${base}/ok`, 500)).rejects.toMatchObject({ code: 'PROBE_FAILED' });
  });
});
