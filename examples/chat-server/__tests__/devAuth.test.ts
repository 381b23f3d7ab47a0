import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RawGateway } from './rawGateway.js';
import { type RunningServer, startServer } from './startServer.js';

// biome-ignore lint/suspicious/noExplicitAny: wire JSON, checked field by field by the assertions.
type Json = any;

const GENERAL = '1200000000000000001';

/** Identifies with `token` and resolves with the close code (or 0 when READY came instead). */
function identifyOutcome(port: number, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/?v=10&encoding=json`);
    ws.once('error', reject);
    ws.once('open', () =>
      ws.send(
        JSON.stringify({ op: 2, d: { token, intents: 1, properties: { os: 'linux', browser: 't', device: 't' } } }),
      ),
    );
    ws.on('message', (raw) => {
      const p = JSON.parse(String(raw));
      if (p.op === 0 && p.t === 'READY') {
        ws.close(1000);
        resolve(0);
      }
    });
    ws.once('close', (code) => resolve(code));
  });
}

// Issue 12: with dev auth every new token made a user and a GUILD_MEMBER_ADD to every session, so an identify flood
// cost O(N²). New users are now limited per source address (default 10 a minute), and the log line says so.
describe('dev auth limits new users per address', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  const me = (token: string) => fetch(`${server.api}/users/@me`, { headers: { Authorization: token } });

  it('says so on startup', () => {
    expect(server.output()).toMatch(/DEV AUTH.*at most 10 new users per minute per address/);
  });

  it('the 11th new token in a minute from one address gets 429; known users and the gateway are refused nothing else', async () => {
    // The watcher is created over REST and then identifies as a known user, so the count does not depend on the
    // gateway passing the address.
    expect((await me('flood-watcher')).status).toBe(200);
    const watcher = await RawGateway.identify(server.port, 'flood-watcher');
    for (let i = 0; i < 9; i++) expect((await me(`flood-${i}`)).status).toBe(200);
    const refused = await me('flood-9');
    expect(refused.status).toBe(429);
    const body = (await refused.json()) as Json;
    expect(body).toMatchObject({ message: 'You are being rate limited.', global: false });
    expect(body.retry_after).toBeGreaterThan(0);
    expect(body.retry_after).toBeLessThanOrEqual(60);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // No GUILD_MEMBER_ADD went out for the refused token.
    await expect(watcher.waitFor('GUILD_MEMBER_ADD', (d) => d.user.username === 'flood-9', 300)).rejects.toThrow();
    // Users who exist already keep working, over REST and the gateway.
    expect((await me('flood-0')).status).toBe(200);
    expect(await identifyOutcome(server.port, 'flood-1')).toBe(0);
    const post = await fetch(`${server.api}/channels/${GENERAL}/messages`, {
      method: 'POST',
      headers: { Authorization: 'flood-2', 'Content-Type': 'application/json' },
      body: JSON.stringify({ content: 'still here' }),
    });
    expect(post.status).toBe(200);
    // A new token over the gateway: closed with 4004 (the gateway's `authenticate` can only accept or refuse).
    expect(await identifyOutcome(server.port, 'flood-gateway')).toBe(4004);
    watcher.close();
  });
});
