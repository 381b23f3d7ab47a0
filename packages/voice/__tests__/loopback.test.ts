import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import { ENCRYPTION_MODES } from '../src/crypto/modes.js';
import { createOpusCodec } from '../src/opus/opus.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { goertzel, toneFrames, waitFor } from './helpers.js';

let server: VoiceServer;

beforeAll(async () => {
  server = await createVoiceServer({ heartbeatInterval: 5_000 });
});

afterAll(async () => {
  await server.close();
});

function join(userId: string, channelId: string, mode: (typeof ENCRYPTION_MODES)[number], version: 4 | 8 = 8) {
  const sessionId = `s-${userId}`;
  const { token, endpoint } = server.allocate({ guildId: 'g1', channelId, userId, sessionId });
  return new VoiceClient({ endpoint, token, sessionId, userId, guildId: 'g1', modes: [mode], version });
}

describe.each(ENCRYPTION_MODES.map((m) => [m]))('loopback through the SFU in %s', (mode) => {
  it('carries a 440 Hz tone from A to B', async () => {
    const channel = `c-${mode}`;
    const a = join(`a-${mode}`, channel, mode);
    const b = join(`b-${mode}`, channel, mode, 4);
    await a.connect();
    await b.connect();
    expect(a.mode).toBe(mode);
    expect(b.mode).toBe(mode);
    const received: { sequence: number; opus: Buffer }[] = [];
    b.on('packet', (p) => {
      if (p.ssrc === a.ssrc) received.push(p);
    });
    const frames = toneFrames(440, 40);
    // sendPcm encodes with the client's own opusscript encoder.
    for (const frame of frames) a.sendPcm(frame);
    await waitFor(() => received.length >= frames.length, 5000, 'all frames');
    expect(b.userOf(a.ssrc)).toBe(`a-${mode}`);

    received.sort((x, y) => x.sequence - y.sequence);
    const decoder = createOpusCodec();
    // The first frames carry the codec's start-up transient; analyse the steady state.
    const pcm = Buffer.concat(received.slice(5).map((p) => decoder.decode(p.opus)));
    const tone = goertzel(pcm, 440);
    for (const other of [220, 330, 550, 880, 1000, 2000]) expect(tone).toBeGreaterThan(20 * goertzel(pcm, other));
    decoder.delete();
    a.disconnect();
    b.disconnect();
  });
});

describe('VoiceClient streams', () => {
  it('subscribe() yields one user’s frames; pause() sends five silence frames and Speaking 0; leaving ends it', async () => {
    const a = join('sub-a', 'sub', 'aead_xchacha20_poly1305_rtpsize');
    const b = join('sub-b', 'sub', 'aead_aes256_gcm_rtpsize');
    await a.connect();
    await b.connect();
    const speaking: number[] = [];
    b.on('speaking', (e) => {
      if (e.userId === 'sub-a') speaking.push(e.speaking);
    });
    const stream = b.subscribe('sub-a');
    const frames: Buffer[] = [];
    stream.on('data', (f: Buffer) => frames.push(f));
    const ended = new Promise((resolve) => stream.on('end', resolve));
    const sent = [Buffer.from([0xfc, 1]), Buffer.from([0xfc, 2]), Buffer.from([0xfc, 3])];
    for (const f of sent) a.sendOpus(f);
    a.pause();
    await waitFor(() => frames.length >= 8, 5000, 'frames + silence');
    expect(frames).toEqual([...sent, ...Array(5).fill(Buffer.from([0xf8, 0xff, 0xfe]))]);
    // (The 0 announcing A's SSRC when B joined came before connect() resolved.) 1 before A's first frame, 0 after its pause.
    await waitFor(() => speaking.length >= 2, 5000, 'speaking 0');
    expect(speaking).toEqual([1, 0]);
    a.disconnect();
    await ended;
    b.disconnect();
  });
});

describe('VoiceClient resume', () => {
  it('resumes after its gateway connection drops and keeps receiving', async () => {
    const a = join('res-a', 'res', 'aead_aes256_gcm_rtpsize');
    const b = join('res-b', 'res', 'aead_aes256_gcm_rtpsize');
    await a.connect();
    await b.connect();
    const resumed = new Promise<void>((resolve) => b.once('resumed', resolve));
    // Cut B's TCP connection without a close frame, as a network failure would (close code 1006).
    const state = b.state;
    if (state.code !== 'ready') throw new Error(`b is ${state.code}`);
    state.ws.terminate();
    await resumed;
    expect(
      server
        .members('g1', 'res')
        .map((m) => m.userId)
        .sort(),
    ).toEqual(['res-a', 'res-b']);
    const got: Buffer[] = [];
    b.on('packet', (p) => got.push(p.opus));
    const speaking = new Promise((resolve) => b.once('speaking', resolve));
    a.sendOpus(Buffer.from([0xfc, 9, 9]));
    await waitFor(() => got.length === 1, 5000, 'packet after resume');
    expect(got[0]).toEqual(Buffer.from([0xfc, 9, 9]));
    expect(await speaking).toMatchObject({ userId: 'res-a', speaking: 1 });
    a.disconnect();
    b.disconnect();
  });
});
