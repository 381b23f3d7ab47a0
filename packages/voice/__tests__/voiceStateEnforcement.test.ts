import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { waitFor } from './helpers.js';

// A server mute is the gateway's word (a moderator's member edit); a client that ignores it and keeps sending must
// still not be heard, and a deafened one must not be sent audio: the voice server enforces the gateway's state.

describe('the gateway’s voice state enforced on the media plane', () => {
  let server: VoiceServer;
  beforeAll(async () => {
    server = await createVoiceServer({ heartbeatInterval: 5_000 });
  });
  afterAll(async () => {
    await server.close();
  });

  const join = async (userId: string) => {
    const { token, endpoint } = server.allocate({ guildId: 'g', channelId: 'c', userId, sessionId: userId });
    const client = new VoiceClient({ endpoint, token, sessionId: userId, userId, guildId: 'g', rtcpInterval: 0 });
    await client.connect();
    const got: number[] = [];
    client.on('packet', (p) => got.push(p.opus[1]!));
    return { client, got };
  };
  const notice = (
    userId: string,
    state: { mute?: boolean; deaf?: boolean; suppress?: boolean; channelId?: string | null },
  ) =>
    server.voiceStateChanged({
      guildId: 'g',
      userId,
      sessionId: userId,
      channelId: state.channelId === undefined ? 'c' : state.channelId,
      mute: state.mute ?? false,
      deaf: state.deaf ?? false,
      suppress: state.suppress ?? false,
    });

  it('server mute and a missing SPEAK stop forwarding; deafen stops sending; lifted, audio flows again', async () => {
    // Muted before connecting: applied when the member joins.
    notice('ve-muted', { mute: true });
    const muted = await join('ve-muted');
    const listener = await join('ve-listener');
    const speaker = await join('ve-speaker');
    const before = server.stats.dropped.muted;
    muted.client.sendOpus(Buffer.from([0xfc, 1]));
    speaker.client.sendOpus(Buffer.from([0xfc, 2]));
    await waitFor(() => listener.got.includes(2), 5000, 'the speaker');
    await waitFor(() => server.stats.dropped.muted > before, 5000, 'the muted packet dropped');
    expect(listener.got).not.toContain(1);
    // No SPEAK (suppress) is a mute too.
    notice('ve-speaker', { suppress: true });
    speaker.client.sendOpus(Buffer.from([0xfc, 3]));
    await waitFor(() => server.stats.dropped.muted > before + 1, 5000, 'the suppressed packet dropped');
    // Deafened: the listener is sent nothing, the others still are.
    notice('ve-speaker', {});
    notice('ve-listener', { deaf: true });
    speaker.client.sendOpus(Buffer.from([0xfc, 4]));
    await waitFor(() => muted.got.includes(4), 5000, 'the muted member still hears');
    expect(listener.got).toEqual([2]);
    // Lifted.
    notice('ve-listener', {});
    notice('ve-muted', {});
    muted.client.sendOpus(Buffer.from([0xfc, 5]));
    await waitFor(() => listener.got.includes(5), 5000, 'the unmuted member heard');
    // Leaving voice forgets the state: a later join starts clear.
    notice('ve-muted', { mute: true, channelId: null });
    for (const c of [muted, listener, speaker]) c.client.disconnect();
  });
});
