import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  channelItem,
  chromiumAvailable,
  launchChromium,
  messageWith,
  openAs,
  PHONE,
  rest,
  screenshots,
} from './browserHelpers.js';
import { type RunningServer, startServer } from './startServer.js';

const available = chromiumAvailable();
const GUILD = 'Mod Club';
const T = { timeout: 120_000 };

describe.skipIf(!available)('moderation and threads from the web page', () => {
  let server: RunningServer;
  let browser: Browser;
  let ada: Page;
  let grace: Page;
  let guildId: string;
  let graceId: string;
  let inviteHash: string;
  const { dir: shots, shot } = screenshots('concord-moderation-');

  const message = messageWith;
  const guildIcon = (page: Page) => page.locator(`.guild-icon[aria-label="${GUILD}"]`);
  const send = async (page: Page, text: string) => {
    await page.fill('#input', text);
    await page.press('#input', 'Enter');
    await message(page, text).waitFor();
  };
  /** Ada's Settings → Members, and the moderation button `action` on Grace's row. */
  const moderate = async (action: string) => {
    if (!(await ada.locator('.member-settings').isVisible())) {
      await ada.click('#guild-settings-btn');
      await ada.click('#tab-members');
    }
    await ada.click(`.member-settings li[data-user="${graceId}"] button.mod-${action}`);
    await ada.waitForSelector(`#moderation-form[data-action="${action}"]`);
  };
  const rejoin = async () => {
    await grace.evaluate((hash) => {
      location.hash = hash;
    }, inviteHash);
    await grace.locator(`.guild-icon.active[aria-label="${GUILD}"]`).waitFor();
    await ada.waitForSelector(`#members li[data-user="${graceId}"]`);
  };

  beforeAll(async () => {
    server = await startServer({ DEV_AUTH_NEW_USERS_PER_MINUTE: '100', VOICE: 'off' });
    browser = await launchChromium();
    console.log(`[browser] screenshots in ${shots}`);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('Ada makes a server; Grace joins with its invite link', T, async () => {
    ada = await openAs(browser, server.url, 'ada');
    await ada.click('#add-guild');
    await ada.fill('#create-guild-form input[name=name]', GUILD);
    await ada.click('#create-guild-form button[type=submit]');
    await ada.waitForSelector(`.guild-icon.active[aria-label="${GUILD}"]`);
    await ada.waitForSelector('#channels li.channel.active');
    guildId = (await guildIcon(ada).getAttribute('data-guild'))!;
    await ada.click('#invite-btn');
    const link = ada.locator('#invite-link[data-code]');
    await link.waitFor();
    inviteHash = new URL(await link.inputValue()).hash;
    await ada.keyboard.press('Escape');
    grace = await openAs(browser, server.url, 'grace', { path: `/${inviteHash}` });
    await grace.waitForSelector(`.guild-icon.active[aria-label="${GUILD}"]`);
    graceId = (await rest<{ id: string }>(server.api, 'grace', 'GET', '/users/@me')).body.id;
    await ada.waitForSelector(`#members li[data-user="${graceId}"]`);
  });

  it('a thread started from a message: both see it, post and react in it', T, async () => {
    await send(ada, 'shall we plan the launch?');
    const starter = message(ada, 'shall we plan the launch?');
    await starter.hover();
    await starter.locator('button.create-thread').click();
    expect(await ada.inputValue('#thread-name')).toBe('shall we plan the launch?');
    await ada.fill('#thread-name', 'launch plan');
    await ada.click('#thread-create');
    // Ada is taken into the thread; it is listed under #general for both.
    await ada.waitForSelector('#channel-name:text-is("launch plan")');
    await ada.waitForSelector('#channel-topic >> text=Thread in');
    for (const page of [ada, grace]) await channelItem(page, 'launch plan').and(page.locator('.thread')).waitFor();
    // The message that started it links to it (Grace is in #general).
    const threadLink = message(grace, 'shall we plan the launch?').locator('.thread-link');
    await threadLink.waitFor();
    expect(await threadLink.textContent()).toBe('thread: launch plan');
    await threadLink.click();
    await grace.waitForSelector('#channel-name:text-is("launch plan")');
    await send(grace, 'count me in');
    await message(ada, 'count me in').waitFor();
    await send(ada, 'great, Friday then');
    await message(grace, 'great, Friday then').waitFor();
    // Reactions in a thread: the same routes under /channels/{thread}.
    const m = message(ada, 'count me in');
    await m.hover();
    await m.locator('button.react').click();
    await ada.click('.emoji-picker button[aria-label="👍"]');
    await message(grace, 'count me in').locator('.reaction[data-emoji="👍"] .count:text-is("1")').waitFor();
    await shot(ada, 'desktop-thread');

    // The header's Threads button lists the channel's active threads (GET /guilds/{g}/threads/active).
    await channelItem(ada, 'general').locator('.channel-link').click();
    await ada.waitForSelector('#channel-name:text-is("general")');
    await ada.click('#threads-btn');
    const entry = ada.locator('.thread-list .thread-open', { hasText: 'launch plan' });
    await entry.waitFor();
    await shot(ada, 'desktop-thread-list');
    await entry.click();
    await ada.waitForSelector('#channel-name:text-is("launch plan")');
    await message(ada, 'count me in').waitFor();
    for (const page of [ada, grace]) await channelItem(page, 'general').locator('.channel-link').click();
  });

  it('a refused action shows Discord’s error: an administrator cannot be timed out', T, async () => {
    const role = await rest<{ id: string }>(server.api, 'ada', 'POST', `/guilds/${guildId}/roles`, {
      name: 'Admins',
      permissions: '8',
    });
    expect(role.status).toBe(200);
    const grant = `/guilds/${guildId}/members/${graceId}/roles/${role.body.id}`;
    expect((await rest(server.api, 'ada', 'PUT', grant)).status).toBe(204);
    await moderate('timeout');
    await ada.click('#mod-confirm');
    const error = ada.locator('#moderation-form .form-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/^Missing Permissions.*\(error 50013\)$/);
    await shot(ada, 'desktop-moderation-refused');
    await ada.click('#mod-cancel');
    expect((await rest(server.api, 'ada', 'DELETE', `/guilds/${guildId}/roles/${role.body.id}`)).status).toBe(204);
  });

  it('a timeout closes the member’s composer (the server refuses a send) until it is removed', T, async () => {
    await moderate('timeout');
    await ada.fill('#mod-reason', 'cool down ☕');
    await shot(ada, 'desktop-moderation-form');
    await ada.click('#mod-confirm');
    await ada.locator(`.member-settings li[data-user="${graceId}"] .timed-out-tag`).waitFor();
    await shot(ada, 'desktop-moderation-members');
    await grace.waitForFunction(() => {
      const input = document.querySelector<HTMLTextAreaElement>('#input')!;
      return input.disabled && input.placeholder.includes('timed out');
    });
    await shot(grace, 'desktop-timed-out');
    const general = await grace.getAttribute('#channels li.channel.active', 'data-id');
    const refused = await rest<{ code: number }>(server.api, 'grace', 'POST', `/channels/${general}/messages`, {
      content: 'let me talk',
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe(50013);
    // The reason reached the audit log (sent URL-encoded).
    const log = await rest<{ audit_log_entries: { target_id: string; reason?: string }[] }>(
      server.api,
      'ada',
      'GET',
      `/guilds/${guildId}/audit-logs`,
    );
    expect(log.body.audit_log_entries.some((e) => e.target_id === graceId && e.reason === 'cool down ☕')).toBe(true);

    await ada.click(`.member-settings li[data-user="${graceId}"] button.mod-untimeout`);
    await ada.click('#mod-confirm');
    await ada.locator(`.member-settings li[data-user="${graceId}"] button.mod-timeout`).waitFor();
    await grace.waitForFunction(() => !document.querySelector<HTMLTextAreaElement>('#input')!.disabled);
  });

  it('a kick takes the server from the member’s page; the invite link brings them back', T, async () => {
    await moderate('kick');
    await ada.click('#mod-confirm');
    await guildIcon(grace).waitFor({ state: 'detached' });
    await ada.locator(`.member-settings li[data-user="${graceId}"]`).waitFor({ state: 'detached' });
    await ada.waitForSelector(`#members li[data-user="${graceId}"]`, { state: 'detached' });
    await ada.keyboard.press('Escape');
    await rejoin();
  });

  it('a ban deletes the member’s recent messages and keeps them out until unbanned', T, async () => {
    await channelItem(grace, 'general').locator('.channel-link').click();
    await send(grace, 'buy cheap stuff');
    await send(grace, 'really cheap');
    for (const text of ['buy cheap stuff', 'really cheap']) await message(ada, text).waitFor();
    await moderate('ban');
    await ada.selectOption('#ban-delete', '3600');
    await ada.fill('#mod-reason', 'spam');
    await ada.click('#mod-confirm');
    for (const text of ['buy cheap stuff', 'really cheap']) {
      await ada.locator('.message .content', { hasText: text }).waitFor({ state: 'detached' });
    }
    await guildIcon(grace).waitFor({ state: 'detached' });
    // She is out of the server.
    expect(await rest(server.api, 'grace', 'GET', `/guilds/${guildId}`).then((r) => r.status)).not.toBe(200);
    await ada.click('#tab-bans');
    const banned = ada.locator(`.ban-list li[data-user="${graceId}"]`);
    await banned.waitFor();
    expect(await banned.textContent()).toContain('spam');
    await shot(ada, 'desktop-bans');
    // The invite no longer lets her in.
    await grace.evaluate((hash) => {
      location.hash = hash;
    }, inviteHash);
    await grace.locator('.toast.error').waitFor();
    expect(await guildIcon(grace).count()).toBe(0);

    await banned.locator('button.unban').click();
    await banned.waitFor({ state: 'detached' });
    await ada.locator('.ban-list >> text=Nobody is banned.').waitFor();
    await ada.keyboard.press('Escape');
    await rejoin();
  });

  it('the thread and moderation views fit a phone', T, async () => {
    await ada.setViewportSize(PHONE);
    await ada.waitForFunction(() => document.querySelector('#drawer')!.getBoundingClientRect().right <= 1);
    await ada.click('#threads-btn');
    await ada.locator('.thread-list .thread-open', { hasText: 'launch plan' }).click();
    await ada.waitForSelector('#channel-name:text-is("launch plan")');
    await shot(ada, 'phone-thread');
    await ada.click('#menu-btn');
    await ada.waitForFunction(() => document.querySelector('#drawer')!.getBoundingClientRect().x >= 0);
    await ada.waitForTimeout(300);
    await shot(ada, 'phone-drawer-threads');
    await ada.click('#guild-settings-btn');
    await ada.click('#tab-members');
    await ada.locator(`.member-settings li[data-user="${graceId}"] button.mod-ban`).waitFor();
    await shot(ada, 'phone-moderation-members');
    await moderate('ban');
    await shot(ada, 'phone-moderation-ban');
    await ada.click('#mod-cancel');
    await ada.locator('.member-settings').waitFor();
    await ada.keyboard.press('Escape');
  });
});
