import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  channelItem,
  chromiumAvailable,
  launchChromium,
  messageWith,
  openAs,
  PHONE,
  png,
  rest,
  screenshots,
} from './browserHelpers.js';
import { RawGateway } from './rawGateway.js';
import { type RunningServer, startServer } from './startServer.js';

const available = chromiumAvailable();
const GUILD = "Ada's Club";
const T = { timeout: 120_000 };

describe.skipIf(!available)('the web page as a Discord client', () => {
  let server: RunningServer;
  let browser: Browser;
  let ada: Page;
  let grace: Page;
  let guildId: string;
  let graceId: string;
  let roleId: string;
  const { dir: shots, shot } = screenshots('concord-browser-');

  const message = messageWith;

  beforeAll(async () => {
    server = await startServer({ DEV_AUTH_NEW_USERS_PER_MINUTE: '100', VOICE: 'off' });
    browser = await launchChromium();
    console.log(`[browser] screenshots in ${shots}`);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('creates a server, a channel, a category and an invite link that a second person joins with', T, async () => {
    ada = await openAs(browser, server.url, 'ada');
    // Everyone starts in the Lobby; Ada makes her own server.
    await ada.click('#add-guild');
    await ada.fill('#create-guild-form input[name=name]', GUILD);
    await ada.click('#create-guild-form button[type=submit]');
    await ada.waitForSelector(`.guild-icon.active[aria-label="${GUILD}"]`);
    await ada.waitForSelector('#channels li.channel.active');
    guildId = (await ada.getAttribute(`.guild-icon[aria-label="${GUILD}"]`, 'data-guild'))!;

    await ada.click('#new-channel-btn');
    await ada.fill('#create-channel-form input[name=name]', 'secret');
    await ada.click('#create-channel-form button[type=submit]');
    await channelItem(ada, 'secret').and(ada.locator('.active')).waitFor();

    await ada.click('#new-category-btn');
    await ada.fill('#create-channel-form input[name=name]', 'Projects');
    await ada.click('#create-channel-form button[type=submit]');
    const category = ada.locator('#channels li.category', { hasText: 'Projects' });
    await category.waitFor();
    await category.locator('button[aria-label="Create a channel in Projects"]').click();
    await ada.fill('#create-channel-form input[name=name]', 'roadmap');
    await ada.click('#create-channel-form button[type=submit]');
    await channelItem(ada, 'roadmap').waitFor();
    // Categories collapse and expand.
    await category.locator('.category-toggle').click();
    await ada.waitForSelector('.category-toggle[aria-expanded=false]');
    await ada.locator('#channels li.channel.active .name').waitFor();
    await ada.click('#channels .name:text-is("general")');
    await channelItem(ada, 'roadmap').waitFor({ state: 'detached' });
    await category.locator('.category-toggle').click();
    await channelItem(ada, 'roadmap').waitFor();

    // An invite link (from #secret, so Grace lands there).
    await channelItem(ada, 'secret').locator('.channel-link').click();
    await ada.click('#invite-btn');
    const link = ada.locator('#invite-link[data-code]');
    await link.waitFor();
    const url = await link.inputValue();
    expect(url).toMatch(/\/#\/invite\/[A-Za-z0-9-]+$/);
    await shot(ada, 'desktop-invite');
    await ada.keyboard.press('Escape');

    grace = await openAs(browser, server.url, 'grace', { path: `/${new URL(url).hash}` });
    await grace.waitForSelector(`.guild-icon.active[aria-label="${GUILD}"]`);
    await channelItem(grace, 'secret').and(grace.locator('.active')).waitFor();
    graceId = (await rest<{ id: string }>(server.api, 'grace', 'GET', '/users/@me')).body.id;
    // Ada sees her join.
    await ada.waitForSelector(`#members li[data-user="${graceId}"]`);
  });

  it('a role with channel overwrites hides a channel until the member is given the role', T, async () => {
    await ada.click('#guild-settings-btn');
    await ada.click('#create-role');
    await ada.waitForSelector('#role-name');
    await ada.fill('#role-name', 'Insiders');
    await ada.fill('#role-color', '#e91e63');
    await ada.check('.perm-grid input[data-perm=MENTION_EVERYONE]');
    await ada.click('#save-role');
    await ada.waitForSelector('.role-list li.selected >> text=Insiders');
    roleId = (await ada.getAttribute('.role-list li.selected', 'data-role'))!;
    await shot(ada, 'desktop-roles');
    // Another role: reordered above Insiders, then deleted.
    const roleNames = () => ada.$$eval('.role-list li .role-name', (els) => els.map((el) => el.textContent));
    await ada.click('#create-role');
    await ada.waitForSelector('.role-list li.selected >> text=new role');
    await ada.fill('#role-name', 'Helpers');
    await ada.click('#save-role');
    await ada.waitForSelector('.role-list li.selected >> text=Helpers');
    expect(await roleNames()).toEqual(['Insiders', 'Helpers', '@everyone']);
    await ada.click('button[aria-label="Move Helpers up"]');
    await ada.waitForFunction(
      () => document.querySelector('.role-list li:first-child .role-name')?.textContent === 'Helpers',
    );
    ada.once('dialog', (d) => void d.accept());
    await ada.click('#delete-role');
    await ada.waitForFunction(() => !document.querySelector('.role-list')?.textContent?.includes('Helpers'));
    expect(await roleNames()).toEqual(['Insiders', '@everyone']);
    await ada.keyboard.press('Escape');

    // #secret: @everyone may not view it, Insiders may.
    const secret = channelItem(ada, 'secret');
    await secret.hover();
    await secret.locator('button.gear').click();
    await ada.selectOption('#overwrite-role', guildId);
    await ada.selectOption('select[data-perm="View channel"]', 'deny');
    await ada.click('#save-overwrite');
    await ada.waitForSelector('#overwrite-form .saved');
    await ada.selectOption('#overwrite-role', roleId);
    await ada.selectOption('select[data-perm="View channel"]', 'allow');
    await ada.selectOption('select[data-perm="Send messages"]', 'allow');
    await ada.click('#save-overwrite');
    await ada.waitForSelector('#overwrite-form >> text=Overwrites for: @everyone, Insiders');
    await ada.keyboard.press('Escape');

    // Grace was in #secret: it disappears and she is moved to a channel she can see.
    await channelItem(grace, 'secret').waitFor({ state: 'detached' });
    await grace.waitForSelector('#channels li.channel.active');
    expect(await grace.textContent('#channel-name')).not.toBe('secret');

    await ada.click('#guild-settings-btn');
    await ada.click('#tab-members');
    await ada.check(`.member-settings li[data-user="${graceId}"] input[data-role="${roleId}"]`);
    await ada.keyboard.press('Escape');
    await channelItem(grace, 'secret').waitFor();
    // Her name now has the role colour in Ada's member list.
    await ada.waitForFunction((id) => {
      const el = document.querySelector<HTMLElement>(`#members li[data-user="${id}"] .name`);
      return el?.style.color === 'rgb(233, 30, 99)';
    }, graceId);
  });

  it('messages render markdown, mentions, reactions, images and replies for both', T, async () => {
    for (const page of [ada, grace]) await channelItem(page, 'general').locator('.channel-link').click();
    await ada.fill('#input', '**bold** and `code` and ||a secret|| for @grace');
    await ada.press('#input', 'Enter');
    const m = message(grace, 'bold and code');
    await m.waitFor();
    expect(await m.locator('.content strong').textContent()).toBe('bold');
    expect(await m.locator('.content code').textContent()).toBe('code');
    expect(await m.getAttribute('class')).toContain('mentioned');
    expect(await m.locator('.mention.me').textContent()).toBe('@grace');
    const spoiler = m.locator('.spoiler');
    expect(await spoiler.getAttribute('class')).not.toContain('revealed');
    await spoiler.click();
    expect(await spoiler.getAttribute('class')).toContain('revealed');

    // Multi-line: Shift+Enter is a newline, and block quotes and code blocks render.
    await ada.click('#input');
    await ada.keyboard.type('> quoted');
    await ada.keyboard.press('Shift+Enter');
    await ada.keyboard.type('after the quote');
    await ada.keyboard.press('Enter');
    const quoted = message(grace, 'after the quote');
    await quoted.waitFor();
    expect(await quoted.locator('blockquote').textContent()).toContain('quoted');
    // Raw HTML stays text; links go only to http(s) (a masked link shows its target).
    await ada.fill(
      '#input',
      '<img src=x onerror="window.pwned=1"> <b>not bold</b> [site](https://example.com/x) [bad](javascript:alert(1))',
    );
    await ada.press('#input', 'Enter');
    const html = message(grace, 'not bold');
    await html.waitFor();
    expect(await html.locator('.content b, .content img').count()).toBe(0);
    expect(await html.locator('.content a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual([
      'https://example.com/x',
    ]);

    // A role mention in the role's colour (and Grace has the role: highlighted for her).
    await ada.fill('#input', 'meeting for @Insiders');
    await ada.press('#input', 'Enter');
    const roleMention = message(grace, 'meeting for').locator('.mention.role');
    await roleMention.waitFor();
    expect(await roleMention.textContent()).toBe('@Insiders');
    expect(await roleMention.evaluate((el) => (el as HTMLElement).style.color)).toBe('rgb(233, 30, 99)');
    expect(await message(grace, 'meeting for').getAttribute('class')).toContain('mentioned');

    // Reactions: Ada picks 👍, Grace clicks it: 2 on both pages, highlighted as "me" for each.
    const adaMsg = message(ada, 'bold and code');
    await adaMsg.hover();
    await adaMsg.locator('button.react').click();
    await ada.click('.emoji-picker button[aria-label="👍"]');
    await message(grace, 'bold and code').locator('.reaction[data-emoji="👍"] .count:text-is("1")').waitFor();
    await message(grace, 'bold and code').locator('.reaction[data-emoji="👍"]').click();
    for (const page of [ada, grace]) {
      const r = message(page, 'bold and code').locator('.reaction[data-emoji="👍"]');
      await r.locator('.count:text-is("2")').waitFor();
      expect(await r.getAttribute('class')).toContain('me');
    }
    // Clicking again takes Grace's away.
    await message(grace, 'bold and code').locator('.reaction[data-emoji="👍"]').click();
    await message(ada, 'bold and code').locator('.reaction[data-emoji="👍"] .count:text-is("1")').waitFor();

    // An image attachment (multipart payload_json + files[0]), shown inline with its size on both pages.
    await ada.setInputFiles('#file-input', { name: 'square.png', mimeType: 'image/png', buffer: png(120, 80) });
    await ada.waitForSelector('#pending-files li >> text=square.png');
    await ada.fill('#input', 'a picture');
    await ada.press('#input', 'Enter');
    for (const page of [ada, grace]) {
      const img = message(page, 'a picture').locator('.attachment.image img');
      await img.waitFor();
      expect(await img.getAttribute('src')).toMatch(/\/cdn\/attachments\/\d+\/\d+\/square\.png$/);
      expect(await img.getAttribute('width')).toBe('120');
      expect(await img.getAttribute('height')).toBe('80');
      await page.waitForFunction(
        () => (document.querySelector('.attachment.image img') as HTMLImageElement | null)?.naturalWidth === 120,
      );
    }

    // Dropping a file on the chat attaches it; a non-image shows as a download.
    await ada.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File(['meeting notes'], 'notes.txt', { type: 'text/plain' }));
      const chat = document.querySelector('#chat')!;
      chat.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      chat.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await ada.waitForSelector('#pending-files li >> text=notes.txt');
    await ada.press('#input', 'Enter');
    const file = message(grace, 'notes.txt').locator('.attachment.file a');
    await file.waitFor();
    expect(await file.getAttribute('href')).toMatch(/\/cdn\/attachments\/\d+\/\d+\/notes\.txt$/);

    // A reply, with the quoted header on both pages.
    const pic = message(grace, 'a picture');
    await pic.hover();
    await pic.locator('button.reply').click();
    await grace.waitForSelector('#replying >> text=Replying to');
    await grace.fill('#input', 'nice picture');
    await grace.press('#input', 'Enter');
    const reply = message(ada, 'nice picture');
    await reply.waitFor();
    expect(await reply.locator('.reply-to').textContent()).toContain('ada: a picture');
    // Consecutive messages of one author are grouped under one header.
    expect(await message(ada, 'meeting for').getAttribute('class')).toContain('grouped');
    await shot(ada, 'desktop-messages');
    await shot(grace, 'desktop-messages-grace');
  });

  it('a bot added to the server posts; both pages show it and the bot sees their messages', T, async () => {
    const info = await rest<{ url: string }>(server.api, 'Bot club-bot', 'GET', '/gateway/bot');
    expect(info.status).toBe(200);
    const botId = (await rest<{ id: string }>(server.api, 'Bot club-bot', 'GET', '/users/@me')).body.id;
    const auth = await rest(server.api, 'ada', 'POST', `/oauth2/authorize?client_id=${botId}&scope=bot`, {
      guild_id: guildId,
      permissions: '0',
      authorize: true,
    });
    expect(auth.status).toBe(200);
    const bot = new RawGateway(server.port);
    await new Promise((resolve, reject) => {
      bot.ws.once('open', resolve);
      bot.ws.once('error', reject);
    });
    bot.ws.send(
      JSON.stringify({
        op: 2,
        d: {
          token: 'club-bot',
          intents: 1 | 512 | 32768,
          properties: { os: 'linux', browser: 'test', device: 'test' },
        },
      }),
    );
    await bot.waitFor('GUILD_CREATE', (d) => d.id === guildId);
    await ada.fill('#input', 'hello bot');
    await ada.press('#input', 'Enter');
    const seen = await bot.waitFor('MESSAGE_CREATE', (d) => d.content === 'hello bot');
    const posted = await rest(server.api, 'Bot club-bot', 'POST', `/channels/${seen.d.channel_id}/messages`, {
      content: 'beep **boop**',
      message_reference: { message_id: seen.d.id },
    });
    expect(posted.status).toBe(200);
    for (const page of [ada, grace]) {
      const m = message(page, 'beep boop');
      await m.waitFor();
      expect(await m.locator('.bot-tag').count()).toBe(1);
      expect(await m.locator('.reply-to').textContent()).toContain('hello bot');
    }
    bot.close();
  });

  it('a DM opens from a member’s name; unread channels are bold with a "new messages" line', T, async () => {
    await ada.click(`#members li[data-user="${graceId}"] button.member`);
    await ada.click('#profile-dm');
    await ada.waitForSelector('#channel-name:text-is("grace")');
    await ada.fill('#input', 'psst, grace');
    await ada.press('#input', 'Enter');
    await message(ada, 'psst, grace').waitFor();
    // Grace is in the server: the DM home button shows unread; the DM list has the conversation.
    await grace.waitForSelector('.rail-list li.unread #home-btn');
    await grace.click('#home-btn');
    await grace.click('#channels li.dm >> text=ada');
    await message(grace, 'psst, grace').waitFor();

    // Ada posts in #general while Grace is in her DMs: the server is marked for her, and opening it shows the line.
    await ada.click(`.guild-icon[aria-label="${GUILD}"]`);
    await channelItem(ada, 'general').locator('.channel-link').click();
    await ada.fill('#input', 'are you there?');
    await ada.press('#input', 'Enter');
    await grace.waitForSelector(`.rail-list li.unread .guild-icon[aria-label="${GUILD}"]`);
    await grace.click(`.guild-icon[aria-label="${GUILD}"]`);
    await grace.waitForSelector('#channel-name:text-is("general")');
    await grace.waitForSelector('.new-divider');
    const next = await grace.evaluate(() => document.querySelector('.new-divider')?.nextElementSibling?.textContent);
    expect(next).toContain('are you there?');
    await shot(grace, 'desktop-new-messages');

    // In another channel, #general turns bold when Ada posts there, and plain again once read.
    await channelItem(grace, 'secret').locator('.channel-link').click();
    await ada.fill('#input', 'still there?');
    await ada.press('#input', 'Enter');
    await channelItem(grace, 'general').and(grace.locator('.unread')).waitFor();
    await shot(grace, 'desktop-unread');
    await channelItem(grace, 'general').locator('.channel-link').click();
    await message(grace, 'still there?').waitFor();
    expect(await channelItem(grace, 'general').getAttribute('class')).not.toContain('unread');
  });

  it('typing shows on the other page; own messages can be edited and deleted', T, async () => {
    await grace.type('#input', 'typing away');
    await ada.waitForFunction(() => document.querySelector('#typing')?.textContent?.includes('grace is typing'));
    await grace.press('#input', 'Enter');
    const own = message(grace, 'typing away');
    await own.hover();
    await own.locator('button.edit').click();
    await grace.fill('.edit-box', 'typing away (edited)');
    await grace.press('.edit-box', 'Enter');
    await message(ada, 'typing away (edited)').locator('.edited').waitFor();
    // Up in the empty composer edits the last own message; Escape leaves it as it was.
    await grace.click('#input');
    await grace.keyboard.press('ArrowUp');
    await grace.waitForSelector('.edit-box');
    expect(await grace.inputValue('.edit-box')).toBe('typing away (edited)');
    await grace.keyboard.press('Escape');
    await grace.waitForSelector('.edit-box', { state: 'detached' });
    const again = message(grace, 'typing away (edited)');
    await again.hover();
    await again.locator('button.delete').click();
    await ada.locator('.message .content', { hasText: 'typing away' }).waitFor({ state: 'detached' });
  });

  it('on a phone the lists are a drawer and the messages take the full width', T, async () => {
    await grace.setViewportSize(PHONE);
    await grace.waitForSelector('#menu-btn', { state: 'visible' });
    // The drawer slides out of view (a 0.2 s transition).
    await grace.waitForFunction(() => document.querySelector('#drawer')!.getBoundingClientRect().right <= 1);
    const list = (await grace.locator('#messages').boundingBox())!;
    expect(list.x).toBe(0);
    expect(list.width).toBe(PHONE.width);
    expect(await grace.locator('#members').isVisible()).toBe(false);
    await shot(grace, 'phone-chat');
    await grace.click('#menu-btn');
    await grace.waitForFunction(() => document.querySelector('#drawer')!.getBoundingClientRect().x >= 0);
    await grace.waitForTimeout(300);
    await shot(grace, 'phone-drawer');
    await channelItem(grace, 'secret').locator('.channel-link').click();
    await grace.waitForSelector('#channel-name:text-is("secret")');
    await grace.waitForFunction(() => document.querySelector('#drawer')!.getBoundingClientRect().right <= 1);
    await grace.click('#members-btn');
    await grace.waitForSelector('#members', { state: 'visible' });
    await shot(grace, 'phone-members');
    await grace.click('#members-btn');
    // Dialogs fit the phone too.
    await grace.click('#menu-btn');
    await grace.click('#guild-settings-btn');
    await grace.waitForSelector('.role-editor');
    await shot(grace, 'phone-settings');
    await grace.keyboard.press('Escape');
  });
});
