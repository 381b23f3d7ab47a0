import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../chat-server/__tests__/startServer.js';
import { codeBlocks, type RunningScript, runScript, writeBlock } from './helpers/quickstart.js';

// docs/quickstarts/chat-backend.md: the first js block is server.mjs, the second client.mjs.
const [serverCode, clientCode] = codeBlocks('chat-backend');
let server: RunningScript;
let url: string;

beforeAll(async () => {
  const port = await freePort();
  server = runScript(writeBlock('chat-backend', 'server.mjs', serverCode!), {
    PORT: String(port),
    DATABASE_URL: ':memory:',
  });
  await server.waitFor(/chat backend on http:\/\/127\.0\.0\.1:\d+/);
  url = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await server?.stop();
});

it('keeps the server under 50 lines', () => {
  expect(serverCode!.trimEnd().split('\n').length).toBeLessThanOrEqual(50);
});

it('runs the client: READY, then its own message back from the gateway', async () => {
  const client = runScript(writeBlock('chat-backend', 'client.mjs', clientCode!), { CHAT_URL: url });
  try {
    await client.waitFor(/READY as ada in Analytical Engines/);
    await client.waitFor(/#general ada: hello, world/);
    expect(await client.exited()).toBe(0);
  } finally {
    await client.stop();
  }
});

it('refuses a request without a valid token with 401', async () => {
  expect((await fetch(`${url}/api/v10/users/@me`)).status).toBe(401);
  const bad = await fetch(`${url}/api/v10/users/@me`, { headers: { Authorization: 'not-a-token' } });
  expect(bad.status).toBe(401);
  expect(await bad.json()).toEqual({ message: '401: Unauthorized', code: 0 });
});
