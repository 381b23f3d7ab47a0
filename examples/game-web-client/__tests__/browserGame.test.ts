// Issue 20's browser reference client, end to end: two headless Chromiums (fake microphones: 440 Hz and 660 Hz) open
// the demo page with a name, which gets a player token and a join token from the demo's game backend, connects the
// gateway, joins the invite-only party and its voice over WebRTC. They chat both ways and hear each other's tone; the
// party's voice is positional with positions from the clients (trusted mode), so when one walks away with the arrow
// keys (op 1001 on its voice connection) the other stops receiving its audio (getStats: no more RTP bytes), and
// hears it again when it walks back. Muting takes a player's tone (and speaking light) away from the other.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hearTone, sineWav, until } from '../../chat-server/__tests__/browserVoiceHelpers.js';
import { createGameWebServer, type GameWebServer } from '../src/createGameWebServer.js';
import { demoWorld } from '../src/demoWorld.js';
import { chromiumAvailable, launchGameBrowser } from './helpers/launchGameBrowser.js';

const available = chromiumAvailable();

const TONES = { ada: 440, grace: 660 };
/** Bins of the page's FFT are 48000/8192 ≈ 5.9 Hz wide; a tone is where it should be within a few bins. */
const HZ_TOLERANCE = 20;
/** A tone counts as heard when its bin is this loud (dBFS); silence and comfort noise sit far below. */
const MIN_DB = -75;
/** Key presses that take grace from her spawn (100 units from ada) to well outside the range, and back. */
const AWAY = Math.ceil((demoWorld.range * 2) / demoWorld.step);

describe.skipIf(!available)('the browser game client (WebGL map, party chat, proximity voice over WebRTC)', () => {
  let server: GameWebServer;
  const browsers: Browser[] = [];

  beforeAll(async () => {
    server = await createGameWebServer();
    const dir = mkdtempSync(join(tmpdir(), 'game-web-client-'));
    for (const hz of [TONES.ada, TONES.grace]) browsers.push(await launchGameBrowser(sineWav(dir, hz)));
  });
  afterAll(async () => {
    for (const browser of browsers) await browser.close();
    await server?.close();
  });

  async function play(browser: Browser, name: string): Promise<{ page: Page; id: string }> {
    const page = await (await browser.newContext()).newPage();
    page.on('pageerror', (e) => console.error(`[${name}] page error:`, e));
    await page.goto(`${server.url}/?name=${name}`);
    await page.waitForSelector('#status[data-state="voice"]', { timeout: 30_000 });
    const id = await page.evaluate(() => window.game?.ticket.userId ?? '');
    return { page, id };
  }

  /** RTP bytes `page` received from `userId` during `ms` (null: no slot plays them). */
  const bytesFrom = (page: Page, userId: string, ms = 1000) =>
    page.evaluate(
      async ({ userId, ms }) => {
        const client = window.game?.client;
        const before = await client?.inboundAudio(userId);
        await new Promise((resolve) => setTimeout(resolve, ms));
        const after = await client?.inboundAudio(userId);
        return before && after ? after.bytesReceived - before.bytesReceived : null;
      },
      { userId, ms },
    );

  const near = (heard: { hz: number; db: number } | null, hz: number) =>
    heard !== null && Math.abs(heard.hz - hz) <= HZ_TOLERANCE && heard.db > MIN_DB;

  it('two players chat, hear each other, stop hearing each other out of range, and mute', async () => {
    const [adaBrowser, graceBrowser] = browsers as [Browser, Browser];
    const ada = await play(adaBrowser, 'ada');
    const grace = await play(graceBrowser, 'grace');

    // The map draws with WebGL (SwiftShader in headless Chromium).
    expect(await ada.page.getAttribute('#map', 'data-renderer')).toBe('webgl');
    // Both dots on both maps, each page listing the party.
    for (const { page } of [ada, grace])
      for (const { id } of [ada, grace]) await page.waitForSelector(`#players li[data-user="${id}"]`);

    // Party chat, both ways, through the page's chat box.
    await ada.page.fill('#chat-input', 'hello grace');
    await ada.page.press('#chat-input', 'Enter');
    await grace.page.waitForSelector(`#messages li[data-author="${ada.id}"]:has-text("hello grace")`);
    await grace.page.fill('#chat-input', 'hi ada');
    await grace.page.press('#chat-input', 'Enter');
    await ada.page.waitForSelector(`#messages li[data-author="${grace.id}"]:has-text("hi ada")`);

    // In range: each hears the other's tone, and sees them speaking.
    const heardByAda = await until(
      () => hearTone(ada.page, grace.id),
      (t) => near(t, TONES.grace),
      'ada hears grace',
    );
    expect(heardByAda!.hz).toBeCloseTo(TONES.grace, -1);
    const heardByGrace = await until(
      () => hearTone(grace.page, ada.id),
      (t) => near(t, TONES.ada),
      'grace hears ada',
    );
    expect(heardByGrace!.hz).toBeCloseTo(TONES.ada, -1);
    await ada.page.waitForSelector(`#players li.speaking[data-user="${grace.id}"]`);

    // Grace walks away (arrow keys: op 1001 to the voice server); neither receives the other any more.
    await grace.page.focus('#map');
    for (let i = 0; i < AWAY; i++) await grace.page.keyboard.press('ArrowRight');
    const out = await grace.page.evaluate(() => window.game?.position);
    expect(out!.x - demoWorld.step * AWAY).toBeGreaterThanOrEqual(0);
    await until(
      () => bytesFrom(ada.page, grace.id),
      (bytes) => bytes === 0,
      'ada stops receiving grace',
    );
    await until(
      () => bytesFrom(grace.page, ada.id),
      (bytes) => bytes === 0,
      'grace stops receiving ada',
    );

    // And back: heard again, at the right frequency.
    for (let i = 0; i < AWAY; i++) await grace.page.keyboard.press('ArrowLeft');
    await until(
      () => bytesFrom(ada.page, grace.id),
      (bytes) => (bytes ?? 0) > 1000,
      'ada receives grace again',
    );
    const again = await until(
      () => hearTone(ada.page, grace.id),
      (t) => near(t, TONES.grace),
      'ada hears grace again',
    );
    expect(again!.hz).toBeCloseTo(TONES.grace, -1);
    await until(
      () => hearTone(grace.page, ada.id),
      (t) => near(t, TONES.ada),
      'grace hears ada again',
    );

    // Ada mutes: grace sees her stop speaking and her tone is gone; unmuted, it is back.
    await ada.page.click('#mute');
    await grace.page.waitForSelector(`#players li[data-user="${ada.id}"]:not(.speaking)`);
    await until(
      () => hearTone(grace.page, ada.id),
      (t) => t !== null && !near(t, TONES.ada),
      'ada is muted',
    );
    await ada.page.click('#mute');
    await grace.page.waitForSelector(`#players li.speaking[data-user="${ada.id}"]`);
    await until(
      () => hearTone(grace.page, ada.id),
      (t) => near(t, TONES.ada),
      'grace hears ada unmuted',
    );
  });
});
