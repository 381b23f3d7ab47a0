import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from './browserHelpers.js';
import { RawGateway } from './rawGateway.js';
import { type RunningServer, startServer } from './startServer.js';

const available = chromiumAvailable();

const GENERAL = '1200000000000000001';

describe.skipIf(!available)('the web page', () => {
  let server: RunningServer;
  let browser: import('playwright-core').Browser;

  beforeAll(async () => {
    // The tests log in 20-odd users from 127.0.0.1 within a minute.
    server = await startServer({ DEV_AUTH_NEW_USERS_PER_MINUTE: '100' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('two people and a bot chat; presence shows both people online', async () => {
    // As a bot library does: GET /gateway/bot with the `Bot ` prefix first (that makes the user a bot), then connect.
    const info = await fetch(`${server.api}/gateway/bot`, { headers: { Authorization: 'Bot echo-bot' } });
    expect(((await info.json()) as { url: string }).url).toBe(`ws://127.0.0.1:${server.port}/`);
    const bot = await RawGateway.identify(server.port, 'echo-bot');
    const pages = await Promise.all(
      ['ada', 'grace'].map(async (name) => {
        const page = await browser.newPage({ viewport: { width: 1100, height: 640 } });
        await page.goto(server.url);
        await page.fill('#login-name', name);
        await page.click('#login button[type=submit]');
        await page.waitForSelector('#channels li.active');
        return page;
      }),
    );
    const [ada, grace] = pages as [import('playwright-core').Page, import('playwright-core').Page];

    // Presence: each page lists both people as online.
    for (const page of pages) {
      await page.waitForFunction(() => {
        const names = Array.from(document.querySelectorAll('#online li')).map((li) => li.textContent);
        return names.includes('ada') && names.includes('grace');
      });
    }

    // Typing shows up on the other page.
    await ada.type('#input', 'hello grace');
    await grace.waitForFunction(() => document.querySelector('#typing')?.textContent?.includes('ada is typing'));
    await ada.press('#input', 'Enter');
    await grace.waitForSelector('.message .content >> text=hello grace');
    const seen = await bot.waitFor('MESSAGE_CREATE', (d) => d.content === 'hello grace');
    expect(seen.d.author.username).toBe('ada');

    // The bot answers over REST; both pages show it.
    const res = await fetch(`${server.api}/channels/${GENERAL}/messages`, {
      method: 'POST',
      headers: { Authorization: 'Bot echo-bot', 'Content-Type': 'application/json' },
      body: JSON.stringify({ content: 'echo: hello grace', message_reference: { message_id: seen.d.id } }),
    });
    expect(res.status).toBe(200);
    for (const page of pages) await page.waitForSelector('.message .content >> text=echo: hello grace');
    expect(await grace.locator('.message .reply-to').first().textContent()).toContain('ada: hello grace');

    await grace.fill('#input', 'hi ada and bot');
    await grace.press('#input', 'Enter');
    await ada.waitForSelector('.message .content >> text=hi ada and bot');

    // Edit and delete own messages from the page.
    const own = ada.locator('.message', { hasText: 'hello grace' }).first();
    await own.hover();
    await own.locator('button.edit').click();
    await ada.fill('.edit-box', 'hello grace (edited)');
    await ada.press('.edit-box', 'Enter');
    await grace.waitForSelector('.message .content >> text=hello grace (edited)');
    await bot.waitFor('MESSAGE_UPDATE', (d) => d.content === 'hello grace (edited)');

    await ada.fill('#input', 'oops');
    await ada.press('#input', 'Enter');
    await grace.waitForSelector('.message .content >> text=oops');
    const oops = ada.locator('.message[data-id]', { hasText: 'oops' });
    await oops.hover();
    await oops.locator('button.delete').click();
    await grace.waitForSelector('.message .content >> text=oops', { state: 'detached' });

    await ada.screenshot({ path: '/tmp/chat-server.png' });
    bot.close();
  });

  it('scrolling up loads older pages with `before`', async () => {
    // 60 messages from 12 senders (5 each stays inside the per-user send limit).
    for (let i = 0; i < 60; i++) {
      const res = await fetch(`${server.api}/channels/${GENERAL}/messages`, {
        method: 'POST',
        headers: { Authorization: `filler-${Math.floor(i / 5)}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ content: `history ${i}` }),
      });
      expect(res.status).toBe(200);
    }
    const page = await browser.newPage({ viewport: { width: 1100, height: 640 } });
    await page.goto(server.url);
    await page.fill('#login-name', 'reader');
    await page.click('#login button[type=submit]');
    await page.waitForSelector('.message .content >> text=history 59');
    expect(await page.locator('.message .content', { hasText: /^history 0$/ }).count()).toBe(0);
    await page.evaluate(() => {
      document.querySelector('#messages')!.scrollTop = 0;
    });
    await page.waitForSelector('.message .content >> text=/^history 0$/');
    await page.waitForSelector('.start');
    await page.close();
  });

  // Issue 12, item 8: the page matched a message's `nonce` with a CSS selector built from it, so a crafted nonce
  // replaced someone else's message on every open page (or, unbalanced, threw and hid the message).
  it('a crafted nonce neither replaces nor hides other messages', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 640 } });
    await page.goto(server.url);
    await page.fill('#login-name', 'bea');
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#channels li.active');
    await page.fill('#input', 'bea was here first');
    await page.press('#input', 'Enter');
    await page.waitForSelector('.message[data-id] .content >> text=bea was here first');
    const idsBefore = await page.$$eval('.message[data-id]', (els) => els.map((el) => (el as HTMLElement).dataset.id));
    expect(idsBefore.length).toBeGreaterThan(0);

    for (const [i, nonce] of ['x"],[data-id],[x="', '"', "a'b\\"].entries()) {
      const res = await fetch(`${server.api}/channels/${GENERAL}/messages`, {
        method: 'POST',
        headers: { Authorization: 'mallory', 'Content-Type': 'application/json' },
        body: JSON.stringify({ content: `mallory ${i}`, nonce }),
      });
      expect(res.status).toBe(200);
      await page.waitForSelector(`.message[data-id] .content >> text=mallory ${i}`, { timeout: 5000 });
      const ids = await page.$$eval('.message[data-id]', (els) => els.map((el) => (el as HTMLElement).dataset.id));
      for (const id of idsBefore) expect(ids, `after nonce ${JSON.stringify(nonce)}`).toContain(id);
    }
    expect(await page.locator('.message .content', { hasText: 'bea was here first' }).count()).toBe(1);
    await page.close();
  });
});
