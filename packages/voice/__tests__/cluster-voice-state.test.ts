import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import {
  createVoiceNode,
  createVoiceNodeAllocator,
  MAX_NOTICE_BYTES,
  NOTICE_MAX_SKEW_MS,
  signVoiceStateNotice,
  VoiceClusterError,
  type VoiceNode,
  type VoiceNodeAllocator,
  verifyVoiceStateNotice,
  voiceStateUrl,
} from '../src/cluster/index.js';
import type { VoiceStateNotice } from '../src/server/VoiceGatewayContract.js';
import { waitFor } from './helpers.js';

// In a cluster the gateway talks to the allocator, not to the voice server holding the call: server mute and deafen
// must still reach the media plane, or a client ignoring its mute is heard whenever voice runs on separate nodes.

const SECRET = 'voice-state-secret';
const state = (overrides: Partial<VoiceStateNotice> = {}): VoiceStateNotice => ({
  guildId: 'g',
  userId: 'u',
  sessionId: 's-u',
  channelId: 'c',
  mute: false,
  deaf: false,
  suppress: false,
  ...overrides,
});

describe('voice state notices: signed, bounded, fresh', () => {
  it('round-trips, and refuses other secrets, tampering, staleness and size', () => {
    const now = Date.now();
    const signed = signVoiceStateNotice(SECRET, { state: state({ mute: true }), sentAt: now });
    expect(verifyVoiceStateNotice(SECRET, signed.body, signed.signature, now)).toEqual({
      state: state({ mute: true }),
      sentAt: now,
    });
    const refused = (body: string, signature: unknown, at = now) => {
      try {
        verifyVoiceStateNotice(SECRET, body, signature, at);
      } catch (error) {
        return (error as VoiceClusterError).code;
      }
      return 'accepted';
    };
    expect(refused(signed.body, signVoiceStateNotice('other', { state: state(), sentAt: now }).signature)).toBe(
      'BAD_NOTICE',
    );
    expect(refused(signed.body.replace('"m":true', '"m":false'), signed.signature)).toBe('BAD_NOTICE');
    expect(refused(signed.body, undefined)).toBe('BAD_NOTICE');
    expect(refused(signed.body, signed.signature, now + NOTICE_MAX_SKEW_MS + 1)).toBe('BAD_NOTICE');
    const big = signVoiceStateNotice(SECRET, { state: state({ userId: 'u'.repeat(2000) }), sentAt: now });
    expect(refused(big.body, big.signature)).toBe('BAD_NOTICE');
    // Signed but malformed (an id too long to be one): still refused.
    const long = signVoiceStateNotice(SECRET, { state: state({ userId: 'u'.repeat(65) }), sentAt: now });
    expect(refused(long.body, long.signature)).toBe('BAD_NOTICE');
  });

  it('never throws anything but BAD_NOTICE, whatever the body and signature', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: MAX_NOTICE_BYTES * 2 }), fc.option(fc.string({ maxLength: 200 })), (b, s) => {
        try {
          verifyVoiceStateNotice(SECRET, b, s);
          expect.unreachable('an unsigned body was accepted');
        } catch (error) {
          expect(error).toBeInstanceOf(VoiceClusterError);
          expect((error as VoiceClusterError).code).toBe('BAD_NOTICE');
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('allocator → node: the gateway’s voice state enforced on a voice node', () => {
  let a: VoiceNode;
  let b: VoiceNode;
  let allocator: VoiceNodeAllocator;
  const errors: Error[] = [];
  beforeAll(async () => {
    [a, b] = await Promise.all([
      createVoiceNode({ id: 'vs-a', secret: SECRET }),
      createVoiceNode({ id: 'vs-b', secret: SECRET }),
    ]);
    allocator = createVoiceNodeAllocator({ nodes: [a.healthUrl, b.healthUrl], secret: SECRET });
    allocator.on('error', (error) => errors.push(error));
    await allocator.ready();
  });
  afterAll(async () => {
    allocator.close();
    await Promise.all([a.close(), b.close()]);
  });
  const nodeById = (id: string | null) => (id === 'vs-a' ? a : b);

  const join = async (channelId: string, userId: string) => {
    // The gateway's order for a join: the new voice state first, then the allocation.
    allocator.voiceStateChanged(state({ userId, sessionId: `s-${userId}`, channelId }));
    const { token, endpoint } = await allocator.allocate({ guildId: 'g', channelId, userId, sessionId: `s-${userId}` });
    const client = new VoiceClient({
      endpoint: endpoint!,
      token,
      userId,
      sessionId: `s-${userId}`,
      guildId: 'g',
      rtcpInterval: 0,
    });
    await client.connect();
    const got: number[] = [];
    client.on('packet', (p) => got.push(p.opus[1]!));
    return { client, got };
  };
  const memberOf = (channelId: string, userId: string) => {
    const node = nodeById(allocator.nodeOf('g', channelId));
    return [...(node.server.room('g', channelId)?.members ?? [])].find((m) => m.userId === userId);
  };

  it('server mute and deafen reach the node holding the call; a client ignoring them is not heard or sent audio', async () => {
    const speaker = await join('call', 'vs-speaker');
    const listener = await join('call', 'vs-listener');
    speaker.client.sendOpus(Buffer.from([0xfc, 1]));
    await waitFor(() => listener.got.includes(1), 5000, 'heard before the mute');
    // A moderator mutes the speaker on the gateway: the allocator forwards it to the call's node.
    allocator.voiceStateChanged(
      state({ userId: 'vs-speaker', sessionId: 's-vs-speaker', channelId: 'call', mute: true }),
    );
    await waitFor(() => memberOf('call', 'vs-speaker')?.muted === true, 5000, 'mute applied on the node');
    const node = nodeById(allocator.nodeOf('g', 'call'));
    const dropped = node.server.stats.dropped.muted;
    speaker.client.sendOpus(Buffer.from([0xfc, 2]));
    await waitFor(() => node.server.stats.dropped.muted > dropped, 5000, 'the muted packet dropped');
    expect(listener.got).not.toContain(2);
    // Deafened listener: sent nothing even once the speaker is unmuted.
    allocator.voiceStateChanged(state({ userId: 'vs-speaker', sessionId: 's-vs-speaker', channelId: 'call' }));
    allocator.voiceStateChanged(
      state({ userId: 'vs-listener', sessionId: 's-vs-listener', channelId: 'call', deaf: true }),
    );
    await waitFor(() => memberOf('call', 'vs-listener')?.deafened === true, 5000, 'deafen applied');
    await waitFor(() => memberOf('call', 'vs-speaker')?.muted === false, 5000, 'unmute applied');
    speaker.client.sendOpus(Buffer.from([0xfc, 3]));
    await new Promise((r) => setTimeout(r, 200));
    expect(listener.got).not.toContain(3);
    speaker.client.disconnect();
    listener.client.disconnect();
    expect(errors).toEqual([]);
  });

  it('a state given before the channel had a node is applied when the member joins', async () => {
    allocator.voiceStateChanged(state({ userId: 'vs-early', sessionId: 's-vs-early', channelId: 'early', mute: true }));
    const { token, endpoint } = await allocator.allocate({
      guildId: 'g',
      channelId: 'early',
      userId: 'vs-early',
      sessionId: 's-vs-early',
    });
    const client = new VoiceClient({
      endpoint: endpoint!,
      token,
      userId: 'vs-early',
      sessionId: 's-vs-early',
      guildId: 'g',
      rtcpInterval: 0,
    });
    await client.connect();
    await waitFor(() => memberOf('early', 'vs-early')?.muted === true, 5000, 'muted on joining');
    client.disconnect();
  });

  it('a node refuses notices not signed with the shared secret, and keeps the newest of two', async () => {
    const url = voiceStateUrl(a.healthUrl);
    const post = (notice: { body: string; signature: string }) =>
      fetch(url, { method: 'POST', body: notice.body, headers: { 'x-concord-signature': notice.signature } });
    const forged = signVoiceStateNotice('not-the-secret', {
      state: state({ userId: 'vs-x', mute: true }),
      sentAt: Date.now(),
    });
    expect((await post(forged)).status).toBe(401);
    expect((await fetch(url, { method: 'POST', body: 'x'.repeat(MAX_NOTICE_BYTES + 1) })).status).toBe(413);
    // Two notices overtaking each other: the older one, arriving last, changes nothing.
    const now = Date.now();
    const newer = signVoiceStateNotice(SECRET, { state: state({ userId: 'vs-order', mute: true }), sentAt: now + 1 });
    const older = signVoiceStateNotice(SECRET, { state: state({ userId: 'vs-order', mute: false }), sentAt: now });
    expect((await post(newer)).status).toBe(204);
    expect((await post(older)).status).toBe(204);
    const { token } = a.server.allocate({ guildId: 'g', channelId: 'c', userId: 'vs-order', sessionId: 's-u' });
    const client = new VoiceClient({
      endpoint: a.endpoint,
      token,
      userId: 'vs-order',
      sessionId: 's-u',
      guildId: 'g',
      rtcpInterval: 0,
    });
    await client.connect();
    const member = [...(a.server.room('g', 'c')?.members ?? [])].find((m) => m.userId === 'vs-order');
    expect(member?.muted).toBe(true);
    client.disconnect();
  });
});
