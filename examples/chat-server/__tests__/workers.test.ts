import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawGateway } from './rawGateway.js';
import { type RunningServer, startServer } from './startServer.js';

const GENERAL_TEXT_ID = '1200000000000000001';

// WORKERS=2: two processes share the port (node:cluster hands connections out in turn), joined by the host fan-out.
describe('chat server with WORKERS=2', { timeout: 60_000 }, () => {
  let server: RunningServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chat-workers-'));
    server = await startServer({ WORKERS: '2', DATABASE_URL: join(dir, 'chat.db') });
    // startServer returns on the first worker's ready line; the host is up once the primary says so.
    while (!/\[chat host\] 2 workers on port/.test(server.output())) await new Promise((r) => setTimeout(r, 50));
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers a message posted over REST to sessions on every worker, and stops cleanly on SIGTERM', async () => {
    // Connections alternate between the workers: four sessions put two on each.
    const names = ['ada', 'brian', 'chloe', 'dmitri'];
    const sessions: RawGateway[] = [];
    for (const name of names) sessions.push(await RawGateway.identify(server.port, name));
    const res = await fetch(`${server.api}/channels/${GENERAL_TEXT_ID}/messages`, {
      method: 'POST',
      headers: { authorization: 'ada', 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'one host, two workers' }),
    });
    expect(res.status).toBe(200);
    for (const s of sessions) {
      const m = await s.waitFor('MESSAGE_CREATE', (d) => d.content === 'one host, two workers');
      expect(m.d.channel_id).toBe(GENERAL_TEXT_ID);
    }
    for (const s of sessions) s.close();
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(server.output()).toMatch(/worker 0 exited \(0\)/);
    expect(server.output()).toMatch(/worker 1 exited \(0\)/);
  });

  it('refuses WORKERS > 1 with an in-memory database', async () => {
    await expect(startServer({ WORKERS: '2', DATABASE_URL: ':memory:' })).rejects.toThrow(/not :memory:/);
  });
});
