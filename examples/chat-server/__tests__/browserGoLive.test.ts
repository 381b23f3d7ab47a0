// Go Live from the page (docs/protocol.md "Go Live (screen share)"): two headless Chromiums with fake devices join the
// Lobby's voice channel; ada turns her camera on AND shares her screen, which the page does as Discord does — op 18,
// then a second voice connection and peer connection to the stream's room — so grace sees a LIVE mark on ada, clicks
// Watch (op 20, a receive-only connection to that room) and sees ada's camera (640×480) and ada's screen (at the size
// ada's page captures it) at the same time. Stopping the share, stopping watching and leaving the channel each end the
// stream tile on grace's page while the camera goes on. A native VoiceClient watches a page's stream too (ffmpeg decodes
// the screen at its size). Also: with VOICE=off the panel says voice is unavailable.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelItem, chromiumAvailable, openAs, rest } from './browserHelpers.js';
import { decodeVp8, ffmpegAvailable, launchWithMicrophone, sineWav, until, watchVideo } from './browserVoiceHelpers.js';
import { RawGateway } from './rawGateway.js';
import { type RunningServer, startServer } from './startServer.js';

const available = chromiumAvailable();

const LOBBY = '1200000000000000000';
const VOICE = '1200000000000000002';

describe.skipIf(!available)('Go Live in the browser', () => {
  let server: RunningServer;
  let voiceOff: RunningServer;
  const browsers: Browser[] = [];

  beforeAll(async () => {
    [server, voiceOff] = await Promise.all([
      startServer({ DEV_AUTH_NEW_USERS_PER_MINUTE: '100' }),
      startServer({ DEV_AUTH_NEW_USERS_PER_MINUTE: '100', VOICE: 'off' }),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'browser-golive-'));
    for (const hz of [440, 660]) browsers.push(await launchWithMicrophone(sineWav(dir, hz)));
  });
  afterAll(async () => {
    for (const browser of browsers) await browser.close();
    await Promise.all([server?.stop(), voiceOff?.stop()]);
  });

  async function joinFromPage(page: Page): Promise<void> {
    await channelItem(page, 'General').locator('.channel-link').click();
    await page.waitForSelector('#voice-status.connected', { timeout: 20_000 });
  }

  const member = (page: Page, userId: string, extra = '') =>
    page.locator(`.voice-member[data-user="${userId}"]${extra}`);
  const streamTile = (page: Page, userId: string) =>
    page.locator(`#voice-grid .voice-tile[data-kind="stream"][data-user="${userId}"]`);
  const sees = (v: { width: number; height: number; frames: number } | null, width: number, height: number) =>
    v !== null && v.width === width && v.height === height && v.frames >= 3;

  it('a page streams its screen with its camera on; another watches both, and the stream ends three ways', async () => {
    const [adaBrowser, graceBrowser] = browsers as [Browser, Browser];
    const ada = await openAs(adaBrowser, server.url, 'ada');
    const grace = await openAs(graceBrowser, server.url, 'grace');
    const adaId = (await rest<{ id: string }>(server.api, 'ada', 'GET', '/users/@me')).body.id;
    await joinFromPage(ada);
    await joinFromPage(grace);

    // Camera on, then Go Live: both at once, on two connections.
    await ada.click('#voice-camera');
    await until(
      () => watchVideo(grace, adaId),
      (v) => sees(v, 640, 480),
      'grace sees ada’s camera',
    );
    await ada.click('#voice-screen');
    await ada.locator('#voice-screen[aria-pressed="true"]').waitFor();
    // The size ada's page captures the screen at (Chrome's fake screen), as her own preview shows it.
    const sent = await until(
      () => watchVideo(ada, adaId, 500, 'self-screen'),
      (v) => v !== null && v.width > 0 && v.frames >= 1,
      'ada previews her screen',
    );
    expect(`${sent!.width}x${sent!.height}`).not.toBe('640x480');

    // grace sees ada live (self_stream in VOICE_STATE_UPDATE) with a Watch button, and the stream after clicking it.
    await member(grace, adaId, '[data-marks~="live"]').waitFor({ timeout: 15_000 });
    expect(await streamTile(grace, adaId).count()).toBe(0);
    await grace.click(`.voice-watch[data-user="${adaId}"]`);
    const watchBoth = () => Promise.all([watchVideo(grace, adaId), watchVideo(grace, adaId, 1000, 'stream')]);
    const both = await until(
      watchBoth,
      ([camera, screen]) => sees(camera, 640, 480) && sees(screen, sent!.width, sent!.height),
      'grace sees ada’s camera and screen at once',
    );
    expect(both[0]).toMatchObject({ width: 640, height: 480 });
    expect(both[1]).toMatchObject({ width: sent!.width, height: sent!.height });
    expect(await grace.locator(`.voice-watch[data-user="${adaId}"]`).getAttribute('aria-pressed')).toBe('true');
    // ada's panel counts her viewers (STREAM_UPDATE viewer_ids).
    await ada.locator('#voice-live', { hasText: 'LIVE · 1 watching' }).waitFor();

    // 1. ada stops sharing: grace's stream tile and the LIVE mark go, the camera stays.
    await ada.click('#voice-screen');
    await streamTile(grace, adaId).waitFor({ state: 'detached' });
    await member(grace, adaId, ':not([data-marks~="live"])').waitFor();
    expect(await ada.locator('#voice-grid .voice-tile[data-kind="self-screen"]').count()).toBe(0);
    await until(
      () => watchVideo(grace, adaId),
      (v) => sees(v, 640, 480),
      'grace still sees ada’s camera',
    );

    // 2. Live again; grace watches, then stops watching: her tile goes, ada's stream goes on.
    await ada.click('#voice-screen');
    await grace.click(`.voice-watch[data-user="${adaId}"]`);
    await until(
      () => watchVideo(grace, adaId, 1000, 'stream'),
      (v) => sees(v, sent!.width, sent!.height),
      'grace sees ada’s second stream',
    );
    await grace.click(`.voice-watch[data-user="${adaId}"]`);
    await streamTile(grace, adaId).waitFor({ state: 'detached' });
    expect(await ada.locator('#voice-screen').getAttribute('aria-pressed')).toBe('true');
    await ada.locator('#voice-live', { hasText: 'LIVE · 0 watching' }).waitFor();

    // 3. Watching again, ada leaves the channel: her stream ends with it.
    await grace.click(`.voice-watch[data-user="${adaId}"]`);
    await until(
      () => watchVideo(grace, adaId, 1000, 'stream'),
      (v) => sees(v, sent!.width, sent!.height),
      'grace sees ada’s stream again',
    );
    await ada.click('#voice-leave');
    await streamTile(grace, adaId).waitFor({ state: 'detached' });
    await member(grace, adaId).waitFor({ state: 'detached' });
    expect(await grace.locator('#voice-grid .voice-tile:not([hidden])').count()).toBe(0);
    await grace.click('#voice-leave');
    await Promise.all([ada.close(), grace.close()]);
  }, 120_000);

  it.skipIf(!ffmpegAvailable())(
    'a native VoiceClient watches a page’s stream and decodes the screen at its size',
    async () => {
      const { VoiceClient } = await import('@concord/voice');
      const page = await openAs(browsers[1]!, server.url, 'hedy');
      const hedyId = (await rest<{ id: string }>(server.api, 'hedy', 'GET', '/users/@me')).body.id;
      await joinFromPage(page);
      await page.click('#voice-screen');
      const sent = await until(
        () => watchVideo(page, hedyId, 500, 'self-screen'),
        (v) => v !== null && v.width > 0 && v.frames >= 1,
        'hedy previews her screen',
      );
      // Live for the guild (self_stream), i.e. the gateway holds the stream.
      await member(page, hedyId, '[data-marks~="live"]').waitFor();

      // A bot in the channel (op 4) watches (op 20) through a stream connection of its own, as goLive.test.ts does.
      const gw = await RawGateway.identify(server.port, 'Bot watcher-bot');
      const ready = (await gw.waitFor('READY')).d;
      gw.ws.send(
        JSON.stringify({ op: 4, d: { guild_id: LOBBY, channel_id: VOICE, self_mute: false, self_deaf: false } }),
      );
      await gw.waitFor('VOICE_SERVER_UPDATE');
      const key = `guild:${LOBBY}:${VOICE}:${hedyId}`;
      gw.ws.send(JSON.stringify({ op: 20, d: { stream_key: key } }));
      const create = (await gw.waitFor('STREAM_CREATE', (d) => d.stream_key === key)).d;
      const update = (await gw.waitFor('STREAM_SERVER_UPDATE', (d) => d.stream_key === key)).d;
      const client = new VoiceClient({
        endpoint: update.endpoint,
        token: update.token,
        userId: ready.user.id,
        sessionId: ready.session_id,
        guildId: create.rtc_server_id,
        video: { codec: 'VP8' },
      });
      client.on('error', () => undefined);
      const frames: { data: Buffer; keyframe: boolean; size?: { width: number; height: number } | null }[] = [];
      client.on('videoFrame', (frame) => {
        if (frames.length < 300 && (frames.length > 0 || frame.keyframe)) frames.push(frame);
      });
      try {
        await client.connect();
        await until(
          async () => frames.length,
          (n) => n >= 20,
          'the native watcher receives the screen',
        );
        expect(frames[0]!.size).toEqual({ width: sent!.width, height: sent!.height });
        const decoded = decodeVp8(
          frames.map((f) => f.data),
          sent!.width,
          sent!.height,
        );
        expect(decoded.frames).toBeGreaterThanOrEqual(20);
        expect(decoded.size).toBe(`${sent!.width}x${sent!.height}`);
        // The page's panel counts the native watcher.
        await page.locator('#voice-live', { hasText: 'LIVE · 1 watching' }).waitFor();
      } finally {
        client.disconnect();
        gw.close();
      }
      await page.click('#voice-leave');
      await page.close();
    },
    60_000,
  );

  it('says voice is unavailable when the server runs without a voice server (VOICE=off)', async () => {
    const page = await openAs(browsers[0]!, voiceOff.url, 'linus');
    await channelItem(page, 'General').locator('.channel-link').click();
    await page.waitForSelector('#voice-status.unavailable');
    expect(await page.textContent('#voice-status')).toBe('Voice unavailable');
    expect(await page.locator('#voice-camera').count()).toBe(0);
    await page.click('#voice-leave');
    expect(await page.locator('#voice-panel').isHidden()).toBe(true);
    await page.close();
  }, 60_000);
});
