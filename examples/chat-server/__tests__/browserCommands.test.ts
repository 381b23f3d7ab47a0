// Issue 16 from the web page: a scripted bot (a gateway session plus REST, in this process) registers commands and
// answers their interactions; the page lists the commands on `/` with their options, autocompletes, runs one, shows
// the reply's button and select, opens the bot's modal, shows "is thinking…", the edited reply and an ephemeral
// follow-up only its user sees, sends a select pick (a string select, a user select), runs message and user commands
// from the Apps menus, shows "The application did not respond" for a command the bot never answers and "This
// interaction failed" for a click it never answers, fits a phone, and tags a channel webhook's message BOT.
// Screenshots at each step.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  DESKTOP,
  launchChromium,
  messageWith,
  openAs,
  PHONE,
  rest,
  screenshots,
} from './browserHelpers.js';
import { type Dispatch, RawGateway } from './rawGateway.js';
import { type RunningServer, startServer } from './startServer.js';

const available = chromiumAvailable();
const BOT = 'Bot weather-bot';
const T = { timeout: 120_000 };
const CITIES = ['Paris', 'Palermo', 'Lisbon', 'London', 'Panama City'];

// biome-ignore lint/suspicious/noExplicitAny: wire JSON, checked field by field by the assertions.
type Json = any;

/** The reply to /weather: a button opening a modal, a link button, a disabled one, and a select of days. */
function weatherComponents(day?: string): Json[] {
  const days = [
    ['mon', 'Monday', '☀️'],
    ['tue', 'Tuesday', '🌧️'],
    ['wed', 'Wednesday', '⛅'],
  ];
  return [
    {
      type: 1,
      components: [
        { type: 2, style: 1, label: 'Plan a trip', custom_id: 'plan' },
        { type: 2, style: 3, label: 'Looks good', custom_id: 'good' },
        { type: 2, style: 5, label: 'Forecast', url: 'https://example.com/forecast' },
        { type: 2, style: 4, label: 'Sold out', custom_id: 'gone', disabled: true },
        { type: 2, style: 2, label: 'Ignored', custom_id: 'ignored' },
      ],
    },
    {
      type: 1,
      components: [
        {
          type: 3,
          custom_id: 'day',
          placeholder: 'Pick a day',
          options: days.map(([value, label, emoji]) => ({
            value,
            label,
            description: `The forecast for ${label}`,
            emoji: { name: emoji },
            default: value === day,
          })),
        },
      ],
    },
    {
      type: 1,
      components: [{ type: 5, custom_id: 'invite', placeholder: 'Invite people', min_values: 1, max_values: 2 }],
    },
  ];
}

describe.skipIf(!available)('application commands from the web page', () => {
  let server: RunningServer;
  let browser: Browser;
  let bot: RawGateway;
  let botId: string;
  let ada: Page;
  let grace: Page;
  const { dir: shots, shot } = screenshots('concord-commands-');
  /** Interactions the bot received, in order. */
  const received: Json[] = [];
  /** Set by a step that wants to hold the bot's next step until the page showed something. */
  let release: Promise<void> = Promise.resolve();
  let releaseNow: () => void = () => undefined;
  const errors: unknown[] = [];

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await rest<Json>(server.api, BOT, method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const respond = (i: Json, body: unknown) => call('POST', `/interactions/${i.id}/${i.token}/callback`, body);

  /** The bot's side: answers every interaction as a bot library's handler would. */
  async function answer(i: Json): Promise<void> {
    received.push(i);
    const data = i.data ?? {};
    if (i.type === 4) {
      const focused = data.options.find((o: Json) => o.focused);
      const q = String(focused.value).toLowerCase();
      const choices = CITIES.filter((c) => c.toLowerCase().startsWith(q)).map((c) => ({ name: c, value: c }));
      await respond(i, { type: 8, data: { choices } });
    } else if (i.type === 2 && data.name === 'weather') {
      const city = data.options.find((o: Json) => o.name === 'city')?.value;
      const units = data.options.find((o: Json) => o.name === 'units')?.value ?? 'c';
      const content = `Weather in **${city}**: 21°${units === 'f' ? 'F' : 'C'}, clear skies`;
      await respond(i, { type: 4, data: { content, components: weatherComponents() } });
    } else if (i.type === 2 && data.name === 'Quote') {
      const target = data.resolved?.messages?.[data.target_id];
      await respond(i, { type: 4, data: { content: `> ${target?.content ?? '?'}\n— quoted` } });
    } else if (i.type === 2 && data.name === 'upload') {
      const file = data.resolved.attachments[data.options[0].value];
      const text = await (await fetch(file.url)).text();
      await respond(i, { type: 4, data: { content: `Got ${file.filename}: “${text}”` } });
    } else if (i.type === 2 && data.name === 'Wave') {
      const target = data.resolved?.users?.[data.target_id];
      await respond(i, { type: 4, data: { content: `${i.member.user.username} waves at ${target?.username} 👋` } });
    } else if (i.type === 3 && data.custom_id === 'plan') {
      await respond(i, {
        type: 9,
        data: {
          custom_id: 'trip',
          title: 'Plan a trip',
          components: [
            {
              type: 1,
              components: [
                { type: 4, custom_id: 'who', style: 1, label: 'Who is going?', min_length: 2, max_length: 32 },
              ],
            },
            {
              type: 1,
              components: [
                {
                  type: 4,
                  custom_id: 'notes',
                  style: 2,
                  label: 'Notes',
                  required: false,
                  placeholder: 'Anything to bring?',
                  max_length: 500,
                },
              ],
            },
          ],
        },
      });
    } else if (i.type === 3 && (data.custom_id === 'good' || data.custom_id === 'invite')) {
      // A deferred update: the click is acknowledged, the message stays.
      await respond(i, { type: 6 });
    } else if (i.type === 3 && data.custom_id === 'day') {
      const label = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday' }[data.values[0] as string];
      await respond(i, {
        type: 7,
        data: { content: `Forecast for ${label}: rain, 14°C`, components: weatherComponents(data.values[0]) },
      });
    } else if (i.type === 5 && data.custom_id === 'trip') {
      const fields = data.components.flatMap((row: Json) => row.components);
      const who = fields.find((f: Json) => f.custom_id === 'who').value;
      await respond(i, { type: 5 });
      // The test looks at "is thinking…" before the bot goes on.
      await release;
      await call('PATCH', `/webhooks/${botId}/${i.token}/messages/@original`, {
        content: `Trip planned for ${who} 🧳`,
      });
      await call('POST', `/webhooks/${botId}/${i.token}?wait=true`, {
        content: `Psst ${who}: only you can see this packing list`,
        flags: 64,
      });
      await call('POST', `/webhooks/${botId}/${i.token}?wait=true`, { content: 'Everyone: a trip is planned!' });
    }
    // /silent and the Ignored button are never answered.
  }

  /** The /weather reply (the message with the day select; replies to it quote its text too). */
  const weather = (page: Page) => page.locator('.message[data-id]', { has: page.locator('[data-custom-id="day"]') });
  const picker = (page: Page) => page.locator('#command-picker');
  const pickerItem = (page: Page, text: string) => picker(page).locator('.picker-item', { hasText: text });

  beforeAll(async () => {
    server = await startServer({ DEV_AUTH_NEW_USERS_PER_MINUTE: '100', VOICE: 'off' });
    browser = await launchChromium();
    console.log(`[browser] screenshots in ${shots}`);
    // A bot as a bot library makes one: `Bot ` on REST first, then the gateway.
    botId = (await call('GET', '/users/@me')).id;
    bot = await RawGateway.identify(server.port, 'weather-bot');
    bot.ws.on('message', (raw) => {
      const p = JSON.parse(String(raw)) as Dispatch & { op: number };
      if (p.op === 0 && p.t === 'INTERACTION_CREATE') answer(p.d).catch((e) => errors.push(e));
    });
    await call('PUT', `/applications/${botId}/commands`, [
      {
        name: 'weather',
        description: 'The weather in a city',
        options: [
          { type: 3, name: 'city', description: 'Where to look', required: true, autocomplete: true },
          {
            type: 3,
            name: 'units',
            description: 'Celsius or Fahrenheit',
            choices: [
              { name: 'Celsius', value: 'c' },
              { name: 'Fahrenheit', value: 'f' },
            ],
          },
          { type: 4, name: 'days', description: 'How many days ahead', min_value: 1, max_value: 7 },
        ],
      },
      { name: 'silent', description: 'A command this bot never answers' },
      {
        name: 'upload',
        description: 'Reads a file',
        options: [{ type: 11, name: 'file', description: 'The file to read', required: true }],
      },
      { name: 'Quote', type: 3 },
      { name: 'Wave', type: 2 },
    ]);
    ada = await openAs(browser, server.url, 'ada');
    // File chooser interception is switched on when the first 'filechooser' listener is added, asynchronously: a
    // listener added in the same tick as the key press that opens the chooser can lose that race on a loaded machine
    // (the chooser then opens natively, headless, and the event never comes). A listener from the start keeps it on.
    ada.on('filechooser', () => {});
    grace = await openAs(browser, server.url, 'grace');
    for (const page of [ada, grace]) await page.waitForSelector('#channels li.channel.active');
  });
  afterAll(async () => {
    bot?.close();
    await browser?.close();
    await server?.stop();
    expect(errors).toEqual([]);
  });

  it(
    '`/` lists the commands; the options show with their types, required first; autocomplete offers cities',
    T,
    async () => {
      await ada.click('#input');
      await ada.keyboard.type('/');
      await pickerItem(ada, '/weather').waitFor();
      await pickerItem(ada, '/silent').waitFor();
      expect(await pickerItem(ada, '/weather').textContent()).toContain('The weather in a city');
      await shot(ada, '1-commands');

      await ada.keyboard.type('we');
      expect(await picker(ada).locator('.picker-item').count()).toBe(1);
      await ada.keyboard.press('Tab');
      expect(await ada.inputValue('#input')).toBe('/weather ');
      const options = picker(ada).locator('.picker-item .option-name');
      await options.first().waitFor();
      expect(await options.allTextContents()).toEqual(['city', 'units', 'days']);
      expect(await pickerItem(ada, 'city').textContent()).toMatch(/city.*text.*required.*Where to look/);
      expect(await pickerItem(ada, 'days').textContent()).toMatch(/days.*integer.*How many days ahead/);
      await shot(ada, '2-options');

      // Enter with a required option missing picks it; typing asks the bot (type 4) and shows its choices.
      await ada.keyboard.press('Enter');
      expect(await ada.inputValue('#input')).toBe('/weather city:');
      await ada.keyboard.type('Pa');
      // The choices for "Pa" (those for the empty value may have shown first).
      await expect
        .poll(() => picker(ada).locator('.picker-item').allTextContents())
        .toEqual(['Paris', 'Palermo', 'Panama City']);
      const asked = received.filter((i) => i.type === 4).at(-1);
      expect(asked.data.options).toEqual([{ type: 3, name: 'city', value: 'Pa', focused: true }]);
      expect(await picker(ada).locator('.picker-option-hint').textContent()).toMatch(/city.*text.*required/);
      await shot(ada, '3-autocomplete');
      await ada.keyboard.press('Enter');
      expect(await ada.inputValue('#input')).toBe('/weather city:Paris ');

      // A choice option offers its choices.
      await ada.keyboard.type('units:F');
      await pickerItem(ada, 'Fahrenheit').waitFor();
      await shot(ada, '4-choices');
      await ada.keyboard.press('Enter');
      expect(await ada.inputValue('#input')).toBe('/weather city:Paris units:Fahrenheit ');
    },
  );

  it('Enter runs it; the reply shows who used it, its buttons and select, on both pages', T, async () => {
    await ada.keyboard.press('Enter');
    expect(await ada.inputValue('#input')).toBe('');
    for (const page of [ada, grace]) {
      const reply = weather(page);
      await reply.locator('.components').waitFor();
      expect(await reply.locator('.interaction-header').textContent()).toBe('ada used /weather');
      expect(await reply.locator('.bot-tag').textContent()).toBe('BOT');
      expect(await reply.locator('.content').first().textContent()).toBe('Weather in Paris: 21°F, clear skies');
    }
    const command = received.find((i) => i.type === 2 && i.data.name === 'weather');
    expect(command.data.options).toEqual([
      { type: 3, name: 'city', value: 'Paris' },
      { type: 3, name: 'units', value: 'f' },
    ]);
    expect(command.member.user.username).toBe('ada');
    const reply = weather(ada);
    expect(await reply.locator('.component-button').allTextContents()).toEqual([
      'Plan a trip',
      'Looks good',
      'Forecast↗',
      'Sold out',
      'Ignored',
    ]);
    expect(await reply.locator('a.component-button').getAttribute('href')).toBe('https://example.com/forecast');
    expect(await reply.locator('.component-button.danger').isDisabled()).toBe(true);
    expect(await reply.locator('.select .placeholder').allTextContents()).toEqual(['Pick a day', 'Invite people']);
    await ada.waitForSelector('.command-pending', { state: 'detached' });
    await shot(ada, '5-reply');
    await shot(grace, '5-reply-grace');

    // A deferred update: the click goes out, the bot acknowledges, nothing fails.
    await reply.locator('button', { hasText: 'Looks good' }).click();
    await ada.waitForFunction(() => !document.querySelector('.component-button.busy'));
    const click = received.find((i) => i.type === 3 && i.data.custom_id === 'good');
    expect(click.data).toEqual({ component_type: 2, custom_id: 'good' });
    expect(click.message.id).toBe(await reply.getAttribute('data-id'));
    expect(await reply.locator('.interaction-failed').count()).toBe(0);
  });

  it(
    'a button opens the bot’s modal; submitting shows “is thinking…”, then the edit and an ephemeral follow-up',
    T,
    async () => {
      release = new Promise<void>((resolve) => {
        releaseNow = resolve;
      });
      await weather(ada).locator('button', { hasText: 'Plan a trip' }).click();
      const form = ada.locator('#modal-form');
      await form.waitFor();
      expect(await ada.locator('#dialog-title').textContent()).toBe('Plan a trip');
      expect(await form.locator('label', { hasText: 'Who is going?' }).locator('input').getAttribute('maxlength')).toBe(
        '32',
      );
      await form.locator('input[data-custom-id="who"]').fill('Ada');
      await form.locator('textarea[data-custom-id="notes"]').fill('Umbrella, just in case');
      await shot(ada, '6-modal');
      await ada.click('#modal-submit');
      await ada.waitForSelector('#modal-form', { state: 'hidden' });

      const thinking = messageWith(ada, 'is thinking');
      await thinking.waitFor();
      expect(await thinking.locator('.content').textContent()).toBe('weather-bot is thinking');
      await messageWith(grace, 'is thinking').waitFor();
      await shot(ada, '7-thinking');
      const submit = received.find((i) => i.type === 5);
      expect(submit.data.custom_id).toBe('trip');
      // In the modal's layout, with the ids the server numbered the modal's components with.
      expect(submit.data.components).toEqual([
        { type: 1, id: 1, components: [{ type: 4, id: 2, custom_id: 'who', value: 'Ada' }] },
        { type: 1, id: 3, components: [{ type: 4, id: 4, custom_id: 'notes', value: 'Umbrella, just in case' }] },
      ]);
      releaseNow();

      // The edit replaces "thinking"; the ephemeral follow-up shows only on Ada's page.
      await messageWith(ada, 'Trip planned for Ada').waitFor();
      expect(await ada.locator('.content.thinking').count()).toBe(0);
      const secret = messageWith(ada, 'only you can see this packing list');
      await secret.waitFor();
      expect(await secret.locator('.ephemeral-note').textContent()).toBe('👁Only you can see this • Dismiss message');
      await messageWith(ada, 'Everyone: a trip is planned!').waitFor();
      await shot(ada, '8-ephemeral');
      // Grace gets the public follow-up, sent after the ephemeral one: by then an ephemeral leak would have shown.
      await messageWith(grace, 'Everyone: a trip is planned!').waitFor();
      await messageWith(grace, 'Trip planned for Ada').waitFor();
      expect(await grace.locator('.message', { hasText: 'packing list' }).count()).toBe(0);
      await shot(grace, '8-grace-no-ephemeral');

      // Dismissing it removes it from the page.
      await secret.locator('button.dismiss').click();
      await ada.waitForSelector('.message.ephemeral', { state: 'detached' });
    },
  );

  it('picking from the select sends the value; the bot updates the message', T, async () => {
    const reply = weather(ada);
    await reply.locator('.select[data-custom-id="day"] .select-trigger').click();
    const menu = ada.locator('.select-menu');
    await menu.waitFor();
    expect(await menu.locator('.option-label').allTextContents()).toEqual(['Monday', 'Tuesday', 'Wednesday']);
    await shot(ada, '9-select-open');
    await menu.locator('li', { hasText: 'Tuesday' }).click();
    for (const page of [ada, grace]) {
      const updated = weather(page).filter({ hasText: 'Forecast for Tuesday' });
      await updated.waitFor();
      expect(await updated.locator('[data-custom-id="day"] .select-label').textContent()).toBe('🌧️Tuesday');
    }
    const pick = received.find((i) => i.type === 3 && i.data.custom_id === 'day');
    expect(pick.data).toEqual({ component_type: 3, custom_id: 'day', values: ['tue'] });
    await shot(ada, '10-select-updated');

    // A user select offers the guild's members; two may be picked, sent when the list closes.
    const users = weather(ada).locator('.select[data-custom-id="invite"]');
    await users.locator('.select-trigger').click();
    await menu.waitFor();
    await menu.locator('li', { hasText: 'grace' }).click();
    await menu.locator('li', { hasText: 'weather-bot' }).click();
    await shot(ada, '10-user-select');
    await ada.mouse.click(700, 200);
    await menu.waitFor({ state: 'detached' });
    await expect.poll(() => received.some((i) => i.data.custom_id === 'invite')).toBe(true);
    const invite = received.find((i) => i.data.custom_id === 'invite');
    const ids = await rest<Json[]>(server.api, 'ada', 'GET', `/guilds/${invite.guild_id}/members?limit=10`);
    const idOf = (name: string) => ids.body.find((m) => m.user.username === name).user.id;
    expect(invite.data).toMatchObject({
      component_type: 5,
      custom_id: 'invite',
      values: [idOf('grace'), idOf('weather-bot')],
    });
    await ada.waitForFunction(() => !document.querySelector('.select.busy'));
    expect(await users.locator('.select-label').textContent()).toBe('grace, weather-bot');
  });

  it('an attachment option takes a file chosen from the picker, sent with the command', T, async () => {
    await ada.click('#input');
    await ada.keyboard.type('/upload ');
    await pickerItem(ada, 'file').waitFor();
    await ada.keyboard.press('Enter');
    await pickerItem(ada, 'Choose a file…').waitFor();
    expect(await picker(ada).locator('.picker-option-hint').textContent()).toMatch(/file.*attachment.*required/);
    await shot(ada, '10-attachment-option');
    const [chooser] = await Promise.all([ada.waitForEvent('filechooser'), ada.keyboard.press('Enter')]);
    await chooser.setFiles({ name: 'packing.txt', mimeType: 'text/plain', buffer: Buffer.from('socks, umbrella') });
    expect(await ada.inputValue('#input')).toBe('/upload file:packing.txt ');
    await ada.keyboard.press('Enter');
    await messageWith(ada, 'Got packing.txt: “socks, umbrella”').waitFor();
    const run = received.find((i) => i.type === 2 && i.data.name === 'upload');
    expect(run.data.attachments).toBeUndefined();
    expect(Object.values(run.data.resolved.attachments)).toMatchObject([{ filename: 'packing.txt', size: 15 }]);
  });

  it('message and user commands run from the Apps menus of a message and of its author', T, async () => {
    await grace.fill('#input', 'the sky is the limit');
    await grace.press('#input', 'Enter');
    const target = messageWith(ada, 'the sky is the limit');
    await target.waitFor();
    const targetId = await target.getAttribute('data-id');
    await target.locator('.content').click({ button: 'right' });
    const item = ada.locator('.app-menu button', { hasText: 'Quote' });
    await item.waitFor();
    await shot(ada, '11-apps-menu');
    await item.click();
    const quoted = messageWith(ada, '— quoted');
    await quoted.waitFor();
    expect(await quoted.locator('.interaction-header').textContent()).toBe('ada used Quote');
    const run = received.find((i) => i.type === 2 && i.data.name === 'Quote');
    expect(run.data.target_id).toBe(targetId);

    // Right-click on the author: the user commands.
    await ada.locator(`.message[data-id="${targetId}"] .author`).click({ button: 'right' });
    const wave = ada.locator('.app-menu button', { hasText: 'Wave' });
    await wave.waitFor();
    expect(await ada.locator('.app-menu button').allTextContents()).toEqual(['Wave']);
    await wave.click();
    const waved = messageWith(grace, 'ada waves at grace');
    await waved.waitFor();
    expect(await waved.locator('.interaction-header').textContent()).toBe('ada used Wave');
    await shot(grace, '11-user-command');
  });

  it(
    'a command the bot never answers says “The application did not respond”, a button “This interaction failed”',
    T,
    async () => {
      const forecast = weather(ada);
      await forecast.locator('button', { hasText: 'Ignored' }).click();
      await ada.click('#input');
      await ada.keyboard.type('/sil');
      await pickerItem(ada, '/silent').waitFor();
      await ada.keyboard.press('Enter');
      expect(await ada.inputValue('#input')).toBe('/silent ');
      await ada.keyboard.press('Enter');
      const pending = ada.locator('.command-pending');
      await pending.waitFor();
      expect(await pending.locator('.interaction-header').textContent()).toBe('ada used /silent');
      // Discord's deadline is 3 s; the failure shows when the server gives up.
      const failed = pending.locator('.interaction-failed');
      await failed.waitFor({ timeout: 20_000 });
      expect(await failed.textContent()).toBe('The application did not respond');
      expect(await pending.locator('.ephemeral-note').count()).toBe(1);
      const clickFailed = forecast.locator('.components .interaction-failed');
      await clickFailed.waitFor({ timeout: 20_000 });
      expect(await clickFailed.textContent()).toBe('This interaction failed');
      await shot(ada, '12-did-not-respond');
      expect(received.some((i) => i.type === 2 && i.data.name === 'silent')).toBe(true);
      expect(await grace.locator('.message', { hasText: 'used /silent' }).count()).toBe(0);
      await pending.locator('button.dismiss').click();
      await ada.waitForSelector('.command-pending', { state: 'detached' });
    },
  );

  it('on a phone the picker and the components fit the screen', T, async () => {
    await ada.setViewportSize(PHONE);
    await ada.click('#input');
    await ada.keyboard.type('/weather city:Li');
    await pickerItem(ada, 'Lisbon').waitFor();
    const box = (await picker(ada).boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    await shot(ada, '13-phone-picker');
    await ada.keyboard.press('Escape');
    await picker(ada).waitFor({ state: 'hidden' });
    await ada.fill('#input', '');
    await weather(ada).scrollIntoViewIfNeeded();
    const row = (await weather(ada).locator('.component-row').first().boundingBox())!;
    expect(row.x + row.width).toBeLessThanOrEqual(PHONE.width);
    await shot(ada, '13-phone-components');
  });

  it('a channel webhook’s message shows the BOT tag', T, async () => {
    await ada.setViewportSize(DESKTOP);
    const guild = await rest<Json>(server.api, 'ada', 'POST', '/guilds', { name: 'Hooks' });
    expect(guild.status).toBe(201);
    const channels = await rest<Json[]>(server.api, 'ada', 'GET', `/guilds/${guild.body.id}/channels`);
    const general = channels.body.find((c) => c.type === 0);
    const hook = await rest<Json>(server.api, 'ada', 'POST', `/channels/${general.id}/webhooks`, { name: 'Deploys' });
    expect(hook.status).toBe(200);
    const sent = await fetch(`${server.api}/webhooks/${hook.body.id}/${hook.body.token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ content: 'Build 42 passed' }),
    });
    expect(sent.status).toBe(204);
    await ada.click('.guild-icon[aria-label="Hooks"]');
    const built = messageWith(ada, 'Build 42 passed');
    await built.waitFor();
    expect(await built.locator('.author').textContent()).toBe('Deploys');
    expect(await built.locator('.bot-tag').textContent()).toBe('BOT');
    await shot(ada, '14-webhook');
  });
});
