import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createGatewayServer, type GatewayServer, InMemoryDirectory } from '@concord/gateway-server';
import { serializeMessage } from '@concord/gateway-server/serialize';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.CI === 'true')
    throw new Error(`chromium not found at ${CHROMIUM} (run: bash .ci/services/chromium.sh start)`);
  console.warn(
    `[gateway-client] browser test skipped: no chromium at ${CHROMIUM}; run: bash .ci/services/chromium.sh start`,
  );
}

const bot = { id: '100', username: 'bot' };
const guildId = String(1n << 22n);
const channelId = '555';

let gateway: GatewayServer;
let http: Server;
let bundle = '';
let pageUrl = '';

const page = (wsUrl: string) => `<!doctype html><html><body><script type="module">
import { GatewayConnection, compareSnowflakes } from '/client.js';
const params = new URLSearchParams(location.search);
window.events = [];
const client = new GatewayConnection({ token: 'secret', intents: 513 | 32768, url: ${JSON.stringify(wsUrl)},
  encoding: params.get('encoding'), compression: 'zlib-stream' });
client.on('dispatch', (p) => window.events.push({ t: p.t, s: p.s, d: p.t === 'MESSAGE_CREATE' ? p.d : null }));
client.on('error', (e) => window.events.push({ t: 'error', d: String(e) }));
window.order = compareSnowflakes('9', '10');
client.connect().then(() => { window.ready = true; });
</script></body></html>`;

describe.skipIf(!available)('in headless Chromium', () => {
  beforeAll(async () => {
    const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['browser'],
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    bundle = result.outputFiles[0]?.text ?? '';
    const directory = new InMemoryDirectory().addGuild({
      id: guildId,
      name: 'g',
      owner_id: bot.id,
      channels: [{ id: channelId, type: 0, name: 'general' }],
      roles: [{ id: guildId, name: '@everyone', permissions: '3072', position: 0 }],
      members: [{ user: bot, roles: [], joined_at: new Date(0).toISOString() }],
    } as never);
    gateway = await createGatewayServer({
      port: 0,
      host: '127.0.0.1',
      directory,
      authenticate: (t) => (t === 'secret' ? { user: bot } : null),
    });
    const wsUrl = `ws://127.0.0.1:${gateway.address().port}`;
    http = createServer((req, res) => {
      if (req.url?.startsWith('/client.js')) {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      } else {
        res.writeHead(200, { 'content-type': 'text/html' }).end(page(wsUrl));
      }
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    pageUrl = `http://127.0.0.1:${(http.address() as { port: number }).port}/`;
  }, 30_000);

  afterAll(async () => {
    await gateway?.close();
    await new Promise((r) => (http ? http.close(r) : r(undefined)));
  });

  it('the browser bundle uses no node: module and no `ws`', () => {
    expect(bundle.length).toBeGreaterThan(1000);
    expect(bundle).not.toMatch(/from\s*["']node:|require\(["']node:/);
    expect(bundle).not.toContain('ws does not work in the browser');
  });

  it('receives READY and MESSAGE_CREATE over zlib-stream, json and etf', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
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
    try {
      for (const encoding of ['json', 'etf']) {
        const tab = await browser.newPage();
        await tab.goto(`${pageUrl}?encoding=${encoding}`);
        await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, null, {
          timeout: 15_000,
        });
        const message = serializeMessage({
          id: '123456789012345678',
          channel_id: channelId,
          guild_id: guildId,
          author: bot,
          content: `hello ${encoding}`,
          timestamp: 0,
        });
        gateway.dispatchToChannel(guildId, channelId, 'MESSAGE_CREATE', message);
        await tab.waitForFunction(
          () => (window as unknown as { events: { t: string }[] }).events.some((e) => e.t === 'MESSAGE_CREATE'),
          null,
          { timeout: 15_000 },
        );
        const events = (await tab.evaluate(() => (window as unknown as { events: unknown[] }).events)) as {
          t: string;
          s: number;
          d: { content: string; id: string } | null;
        }[];
        expect(events.map((e) => e.t)).toEqual(['READY', 'GUILD_CREATE', 'MESSAGE_CREATE']);
        expect(events[2]?.d?.content).toBe(`hello ${encoding}`);
        expect(String(events[2]?.d?.id)).toBe('123456789012345678');
        expect(await tab.evaluate(() => (window as unknown as { order: number }).order)).toBeLessThan(0);
        await tab.close();
      }
    } finally {
      await browser.close();
    }
  }, 45_000);
});
