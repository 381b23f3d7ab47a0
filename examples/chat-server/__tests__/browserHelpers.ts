// Helpers of the browser tests: headless Chromium (playwright-core), logging a page in, a tiny PNG, REST as a user.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Whether the browser tests can run here (under CI=true a missing Chromium is an error, not a skip). */
export function chromiumAvailable(): boolean {
  const available = existsSync(CHROMIUM);
  if (!available) {
    if (process.env.CI === 'true')
      throw new Error(`${CHROMIUM} is missing (install it: bash .ci/services/chromium.sh)`);
    console.warn(`[chat-server] skipping the browser tests: ${CHROMIUM} is missing (bash .ci/services/chromium.sh)`);
  }
  return available;
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const DESKTOP = { width: 1280, height: 760 };
export const PHONE = { width: 390, height: 844 };

/**
 * A page of its own browser context (its own localStorage, so its own login), logged in as `name`. With `path`
 * (e.g. an invite link's `/#/invite/<code>`) the page opens there first.
 */
export async function openAs(
  browser: Browser,
  url: string,
  name: string,
  options: { path?: string; viewport?: { width: number; height: number } } = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: options.viewport ?? DESKTOP });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[${name}] page error:`, e));
  await page.goto(`${url}${options.path ?? '/'}`);
  await page.fill('#login-name', name);
  await page.click('#login button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#me-name')?.textContent !== '');
  return page;
}

/** REST as a user (dev auth: the token is the name), waiting out 429s. */
export async function rest<T = unknown>(
  api: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  for (;;) {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { Authorization: token, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const data = text ? JSON.parse(text) : undefined;
    if (res.status === 429) {
      await new Promise((r) => setTimeout(r, (data?.retry_after ?? 1) * 1000 + 50));
      continue;
    }
    return { status: res.status, body: data as T };
  }
}

/** A `width`×`height` PNG of one colour (for an image attachment with known dimensions). */
export function png(width: number, height: number, rgb: [number, number, number] = [88, 101, 242]): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The channel list entry named exactly `name`. */
export function channelItem(page: Page, name: string) {
  return page.locator('#channels li.channel', { has: page.locator('.name', { hasText: new RegExp(`^${name}$`) }) });
}

/** The last rendered message containing `text`. */
export function messageWith(page: Page, text: string) {
  return page.locator('.message[data-id]', { hasText: text }).last();
}

/** A fresh folder for a test file's screenshots, and the function that takes one into it. */
export function screenshots(prefix: string): { dir: string; shot: (page: Page, name: string) => Promise<Buffer> } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, shot: (page, name) => page.screenshot({ path: join(dir, `${name}.png`) }) };
}
