// The proof of issue 18's "WebRTC for browsers": two headless Chromiums (fake devices; one microphone plays 440 Hz, the
// other 660 Hz) join the Lobby's voice channel through the page, and a native VoiceClient (880 Hz, encoded with the
// repo's Opus) joins through the main gateway as a bot. Each hears the others' tones at the right frequency, the pages
// see each other's camera at the captured size, and mute, deafen, speaking and leaving show on the others. Sharing the
// screen is Go Live, a stream of its own: browserGoLive.test.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VoiceClientEvents } from '@concord/voice';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelItem, chromiumAvailable, openAs, rest } from './browserHelpers.js';
import {
  decodeVp8,
  dominantFrequency,
  encodeVp8Pattern,
  ffmpegAvailable,
  hearTone,
  launchWithMicrophone,
  sineFrame,
  sineWav,
  until,
  watchVideo,
} from './browserVoiceHelpers.js';
import { RawGateway } from './rawGateway.js';
import { type RunningServer, startServer } from './startServer.js';

const available = chromiumAvailable();

const LOBBY = '1200000000000000000';
const VOICE = '1200000000000000002';
const TONES = { ada: 440, grace: 660, native: 880 };
/** Bins of the page's FFT are 48000/8192 ≈ 5.9 Hz wide; a tone is where it should be within a few bins. */
const HZ_TOLERANCE = 20;
/** A tone counts as heard when its bin is this loud (dBFS); silence and comfort noise sit far below. */
const MIN_DB = -75;
/**
 * The same for the native client's decoded PCM (RMS, full scale 1): the browsers' processed microphones arrive at about
 * 0.02 (Chrome's gain control and noise suppression stay on, as for any user); silence decodes to 0.
 */
const MIN_RMS = 0.005;

describe.skipIf(!available)('voice in the browser (WebRTC)', () => {
  let server: RunningServer;
  const browsers: Browser[] = [];
  const natives: { stop(): void }[] = [];

  beforeAll(async () => {
    server = await startServer({ DEV_AUTH_NEW_USERS_PER_MINUTE: '100' });
    const dir = mkdtempSync(join(tmpdir(), 'browser-voice-'));
    for (const hz of [TONES.ada, TONES.grace]) browsers.push(await launchWithMicrophone(sineWav(dir, hz)));
  });
  afterAll(async () => {
    for (const native of natives) native.stop();
    for (const browser of browsers) await browser.close();
    await server?.stop();
  });

  /**
   * A bot in the voice channel through op 4 and VOICE_SERVER_UPDATE, sending an 880 Hz tone and, given `video` (VP8
   * frames), that video at 30 fps in a loop; it keeps what it hears and the video frames it receives.
   */
  async function joinNative(name: string, video?: { frames: Buffer[]; width: number; height: number }) {
    const { VoiceClient, createOpusCodec } = await import('@concord/voice');
    const gw = await RawGateway.identify(server.port, name);
    const me = (await gw.waitFor('READY')).d.user.id as string;
    gw.ws.send(
      JSON.stringify({ op: 4, d: { guild_id: LOBBY, channel_id: VOICE, self_mute: false, self_deaf: false } }),
    );
    const state = (await gw.waitFor('VOICE_STATE_UPDATE', (d) => d.user_id === me && d.channel_id === VOICE)).d;
    const update = (await gw.waitFor('VOICE_SERVER_UPDATE')).d;
    const layer = video && { rid: '100', quality: 100, ...video, maxBitrate: 600_000, maxFramerate: 30 };
    const client = new VoiceClient({
      endpoint: update.endpoint,
      token: update.token,
      userId: me,
      sessionId: state.session_id,
      guildId: LOBBY,
      ...(layer ? { video: { layers: [layer] } } : {}),
    });
    const heard = new Map<number, Buffer[]>();
    const seen: VoiceClientEvents['videoFrame'][0][] = [];
    const decoder = createOpusCodec();
    client.on('packet', (p) => {
      const list = heard.get(p.ssrc) ?? [];
      heard.set(p.ssrc, list);
      // The last 2 s (100 frames) is enough for the tone and keeps memory flat.
      list.push(decoder.decode(p.opus));
      if (list.length > 100) list.shift();
    });
    client.on('videoFrame', (frame) => {
      if (seen.length < 600) seen.push(frame);
    });
    let sample = 0;
    let next = 0;
    // A frame that finds the client between states is dropped, as a live source's would be.
    const audioTimer = setInterval(() => {
      if (client.state.code === 'ready') client.sendPcm(sineFrame(TONES.native, sample));
      sample += 960;
    }, 20);
    const videoTimer = setInterval(() => {
      if (!video || client.state.code !== 'ready') return;
      client.sendVideoFrame(video.frames[next++ % video.frames.length]!);
    }, 33);
    const native = {
      id: me,
      client,
      /** The tone heard lately from `userId`. */
      heardFrom(userId: string) {
        const ssrc = [...heard.keys()].find((s) => client.userOf(s) === userId);
        const frames = ssrc === undefined ? [] : heard.get(ssrc)!;
        return frames.length < 50 ? null : dominantFrequency(Buffer.concat(frames.slice(-50)));
      },
      /** The video frames received from `userId`. */
      videoFrom: (userId: string) => seen.filter((f) => f.userId === userId),
      stop() {
        clearInterval(audioTimer);
        clearInterval(videoTimer);
        client.disconnect();
        decoder.delete();
        gw.close();
      },
    };
    natives.push(native);
    await client.connect();
    return native;
  }

  async function joinFromPage(page: Page): Promise<void> {
    await channelItem(page, 'General').locator('.channel-link').click();
    await page.waitForSelector('#voice-status.connected', { timeout: 20_000 });
  }

  const member = (page: Page, userId: string, extra = '') =>
    page.locator(`.voice-member[data-user="${userId}"]${extra}`);

  it('two pages and a native client hear each other, see each other, and show mute, deafen and leave', async () => {
    const [adaBrowser, graceBrowser] = browsers as [Browser, Browser];
    const ada = await openAs(adaBrowser, server.url, 'ada');
    const grace = await openAs(graceBrowser, server.url, 'grace');
    const id = async (name: string) => (await rest<{ id: string }>(server.api, name, 'GET', '/users/@me')).body.id;
    const adaId = await id('ada');
    const graceId = await id('grace');

    await joinFromPage(ada);
    await joinFromPage(grace);
    const native = await joinNative('tone-bot');
    const nativeId = native.id;

    // Who is in the channel, on both pages (VOICE_STATE_UPDATE), with the speaking rings lit (op 5 for the others,
    // the microphone's level for oneself).
    for (const page of [ada, grace]) {
      for (const user of [adaId, graceId, nativeId]) await member(page, user, '.speaking').waitFor({ timeout: 15_000 });
    }

    // Audio, all six ways: each page hears the other page and the native client at their frequencies.
    const near = (heard: { hz: number } | null, hz: number) =>
      heard !== null && Math.abs(heard.hz - hz) <= HZ_TOLERANCE;
    for (const [page, others] of [
      [ada, [graceId, TONES.grace, nativeId, TONES.native]],
      [grace, [adaId, TONES.ada, nativeId, TONES.native]],
    ] as const) {
      for (const [user, hz] of [
        [others[0], others[1]],
        [others[2], others[3]],
      ] as const) {
        const heard = await until(
          () => hearTone(page, user),
          (t) => near(t, hz) && t!.db > MIN_DB,
          `page hears ${hz} Hz`,
        );
        expect(heard!.hz).toBeCloseTo(hz, -1);
      }
    }
    for (const [user, hz] of [
      [adaId, TONES.ada],
      [graceId, TONES.grace],
    ] as const) {
      const heard = await until(
        async () => native.heardFrom(user),
        (t) => near(t, hz) && t!.rms > MIN_RMS,
        `native hears ${hz} Hz`,
      );
      expect(Math.abs(heard!.hz - hz)).toBeLessThanOrEqual(10);
    }

    // Video: ada's camera (Chrome's fake device, 640×480) reaches grace.
    await ada.click('#voice-camera');
    const camera = await until(
      () => watchVideo(grace, adaId),
      (v) => v !== null && v.width === 640 && v.height === 480 && v.frames >= 5,
      'grace sees ada’s camera',
    );
    expect(camera).toMatchObject({ width: 640, height: 480 });
    await member(grace, adaId, '[data-marks~="camera"]').waitFor();
    // Camera off: the tile goes (no frames) and the mark too.
    await ada.click('#voice-camera');
    await member(grace, adaId, ':not([data-marks~="camera"])').waitFor();

    // Mute: the others see the mark and the ring goes out; unmuting lights it again.
    await ada.click('#voice-mute');
    await member(grace, adaId, '[data-marks~="muted"]:not(.speaking)').waitFor();
    await ada.click('#voice-mute');
    await member(grace, adaId, '.speaking').waitFor();

    // Deafen: everything ada plays is muted, and the others see it.
    await ada.click('#voice-deafen');
    await member(grace, adaId, '[data-marks~="deafened"]').waitFor();
    expect(await ada.$$eval('#voice-audio audio', (els) => els.every((a) => (a as HTMLAudioElement).muted))).toBe(true);
    await ada.click('#voice-deafen');
    expect(await ada.$$eval('#voice-audio audio', (els) => els.some((a) => (a as HTMLAudioElement).muted))).toBe(false);

    // Leave: gone from the channel on grace's page, and the voice panel closes.
    const left = new Promise<string>((resolve) => native.client.once('clientDisconnect', resolve));
    await ada.click('#voice-leave');
    await member(grace, adaId).waitFor({ state: 'detached' });
    expect(await left).toBe(adaId);
    expect(await ada.locator('#voice-panel').isHidden()).toBe(true);
    await grace.click('#voice-leave');
    native.stop();
    await Promise.all([ada.close(), grace.close()]);
  }, 120_000);

  it.skipIf(!ffmpegAvailable())(
    'a native VoiceClient sees a page’s camera, and the page sees its video',
    async () => {
      const [browser] = browsers as [Browser];
      const page = await openAs(browser, server.url, 'hedy');
      const hedyId = (await rest<{ id: string }>(server.api, 'hedy', 'GET', '/users/@me')).body.id;
      await joinFromPage(page);
      // A test pattern encoded by libvpx (ffmpeg), 320×240, a keyframe every half second, sent in a loop.
      const frames = encodeVp8Pattern(320, 240, 60, 15);
      const native = await joinNative('pattern-bot', { frames, width: 320, height: 240 });

      // The page decodes the native client's video at its size, frames keep coming.
      const seen = await until(
        () => watchVideo(page, native.id),
        (v) => v !== null && v.width === 320 && v.height === 240 && v.frames >= 5,
        'the page sees the native video',
      );
      expect(seen).toMatchObject({ width: 320, height: 240 });

      // The native client gets the page's camera (Chrome's fake device, 640×480) and ffmpeg decodes it at that size.
      await page.click('#voice-camera');
      const received = await until(
        async () => {
          const got = native.videoFrom(hedyId);
          const first = got.findIndex((f) => f.keyframe);
          return first < 0 ? null : got.slice(first);
        },
        (got) => got !== null && got.length >= 20 && got[0]!.size?.width === 640,
        'the native client receives the camera',
      );
      expect(received![0]!.size).toEqual({ width: 640, height: 480 });
      const decoded = decodeVp8(
        received!.map((f) => f.data),
        640,
        480,
      );
      expect(decoded.frames).toBeGreaterThanOrEqual(20);
      expect(decoded.size).toBe('640x480');
      await page.click('#voice-leave');
      native.stop();
    },
    120_000,
  );
});
