import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Community } from '@concord/guilds';
import { createInMemoryStore } from '@concord/storage-adapters';
import { createLocalDiskBlobStore } from '@concord/storage-adapters/blobs';
import { createInMemoryEntityStore } from '@concord/storage-adapters/entities';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRestServer } from '../src/createRestServer.js';
import { PNG_1x1 } from './helpers/multipart.js';

let app: FastifyInstance;
let base: string;
let community: Community;
const dir = mkdtempSync(join(tmpdir(), 'concord-rest-server-'));
const blobs = createLocalDiskBlobStore({ directory: dir });

beforeAll(async () => {
  community = new Community({ store: createInMemoryEntityStore(), messages: createInMemoryStore() });
  app = await createRestServer({
    community,
    blobs,
    authenticate: (token) => (token === 'dev' ? { user: { id: '1000000000000000001', username: 'dev' } } : null),
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  // A streamed CDN answer ends (res.end) a moment after the client has all its bytes, so its keep-alive connection
  // may not count as idle yet when close() looks; the test does not wait out the keep-alive timeout for it.
  const closing = app.close();
  app.server.closeAllConnections();
  await closing;
  await community.close();
  await blobs.close();
  rmSync(dir, { recursive: true, force: true });
});

it('serves the API over a real socket, as discord.js calls it', async () => {
  const res = await fetch(`${base}/api/v10/users/@me`, { headers: { Authorization: 'Bot dev' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{16}$/);
  expect((await res.json()).username).toBe('dev');
});

it('answers routing-level refusals in Discord’s shape', async () => {
  const long = await fetch(`${base}/api/v10/channels/${'1'.repeat(500)}`, { headers: { Authorization: 'dev' } });
  expect(long.status).toBe(414);
  expect(await long.json()).toEqual({ code: 0, message: '414: URI Too Long' });
  const bad = await fetch(`${base}/api/v10/channels/%E0%A4%A`, { headers: { Authorization: 'dev' } });
  expect(bad.status).toBeGreaterThanOrEqual(400);
  expect(bad.status).toBeLessThan(500);
  expect(typeof (await bad.json()).code).toBe('number');
});

it('uploads a file and serves it from the CDN at the attachment URL', async () => {
  const guild = await (
    await fetch(`${base}/api/v10/guilds`, {
      method: 'POST',
      headers: { Authorization: 'dev', 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Uploads' }),
    })
  ).json();
  const channels = await (
    await fetch(`${base}/api/v10/guilds/${guild.id}/channels`, { headers: { Authorization: 'dev' } })
  ).json();
  const channel = channels.find((c: { type: number }) => c.type === 0).id;
  const form = new FormData();
  form.append('payload_json', JSON.stringify({ content: 'look' }));
  form.append('files[0]', new Blob([new Uint8Array(PNG_1x1).buffer], { type: 'image/png' }), 'dot.png');
  const sent = await fetch(`${base}/api/v10/channels/${channel}/messages`, {
    method: 'POST',
    headers: { Authorization: 'dev' },
    body: form,
  });
  expect(sent.status).toBe(200);
  const [attachment] = (await sent.json()).attachments;
  expect(attachment.url.startsWith(`${base}/cdn/attachments/${channel}/`)).toBe(true);
  const file = await fetch(attachment.url);
  expect(file.status).toBe(200);
  expect(Buffer.from(await file.arrayBuffer()).equals(PNG_1x1)).toBe(true);
});
