import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/createTestApp.js';
import { type GuildFixture, guildFixture } from './helpers/guildFixture.js';
import { multipart, PNG_1x1 } from './helpers/multipart.js';

let t: TestApp;
let g: GuildFixture;
beforeAll(async () => {
  t = await createTestApp({ uploads: true, maxFileBytes: 64 * 1024, maxFiles: 3 });
  g = await guildFixture(t, 'owner', ['member']);
});
afterAll(() => t.close());

const messages = () => `/api/v10/channels/${g.channelId}/messages`;

async function upload(who: string, parts: Parameters<typeof multipart>[0], url = messages()) {
  const { payload, headers } = await multipart(parts);
  return t.app.inject({ method: 'POST', url, payload, headers: { ...headers, authorization: who } });
}

describe('multipart uploads', () => {
  it('stores files[n] and answers attachments in Discord’s shape, with payload_json fields', async () => {
    t.user('member');
    const res = await upload('member', [
      {
        name: 'payload_json',
        value: JSON.stringify({ content: 'two files', attachments: [{ id: 1, description: 'a dot' }] }),
      },
      { name: 'files[0]', value: 'plain text\n', filename: 'notes.txt', type: 'text/plain' },
      { name: 'files[1]', value: PNG_1x1, filename: 'my dot.png', type: 'image/png' },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    const message = res.json();
    expect(message.content).toBe('two files');
    expect(message.attachments).toHaveLength(2);
    const [text, image] = message.attachments;
    expect(text).toMatchObject({
      filename: 'notes.txt',
      size: 11,
      content_type: expect.stringMatching(/^text\/plain/),
    });
    expect(image).toMatchObject({
      filename: 'my_dot.png',
      size: PNG_1x1.length,
      content_type: 'image/png',
      width: 1,
      height: 1,
      description: 'a dot',
    });
    expect(image.url).toBe(`http://cdn.test/cdn/attachments/${g.channelId}/${image.id}/my_dot.png`);
    expect(image.proxy_url).toBe(image.url);

    const served = await t.app.inject({ url: `/cdn/attachments/${g.channelId}/${image.id}/my_dot.png` });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.rawPayload.equals(PNG_1x1)).toBe(true);
  });

  it('sends a file without content', async () => {
    const res = await upload('member', [{ name: 'files[0]', value: PNG_1x1, filename: 'dot.png', type: 'image/png' }]);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().attachments).toHaveLength(1);
  });

  it('refuses too many files, a file over the limit, and multipart on other routes', async () => {
    const many = await upload(
      'member',
      [0, 1, 2, 3].map((i) => ({ name: `files[${i}]`, value: 'x', filename: `f${i}.txt` })),
    );
    expect(many.statusCode).toBe(400);
    expect(many.json().code).toBe(50035);
    const big = await upload('member', [{ name: 'files[0]', value: Buffer.alloc(65 * 1024), filename: 'big.bin' }]);
    expect(big.statusCode).toBe(413);
    expect(big.json()).toEqual({ code: 40005, message: 'Request entity too large' });
    const elsewhere = await upload('owner', [{ name: 'payload_json', value: '{"name":"G"}' }], '/api/v10/guilds');
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json().errors._errors[0].code).toBe('CONTENT_TYPE_INVALID');
    const badJson = await upload('member', [{ name: 'payload_json', value: '{nope' }]);
    expect(badJson.json()).toEqual({ code: 50109, message: 'The request body contains invalid JSON.' });
  });

  it('deletes the stored files when the message is refused', async () => {
    t.user('outsider');
    const stored = () => {
      const dir = join(t.blobDir!, 'data', g.channelId);
      // Files only: the store may leave an emptied folder behind.
      return existsSync(dir)
        ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length
        : 0;
    };
    const before = stored();
    const res = await upload('outsider', [
      { name: 'files[0]', value: PNG_1x1, filename: 'leak.png', type: 'image/png' },
    ]);
    expect(res.statusCode).toBe(403);
    expect(stored()).toBe(before);
    const listed = await t.call('owner', 'GET', `${messages()}?limit=100`);
    expect(JSON.stringify(listed.json())).not.toContain('leak.png');
  });

  it('refuses uploads when no blob store is configured', async () => {
    const plain = await createTestApp();
    const fixture = await guildFixture(plain, 'owner');
    const { payload, headers } = await multipart([{ name: 'files[0]', value: 'x', filename: 'a.txt' }]);
    const res = await plain.app.inject({
      method: 'POST',
      url: `/api/v10/channels/${fixture.channelId}/messages`,
      payload,
      headers: { ...headers, authorization: 'owner' },
    });
    await plain.close();
    expect(res.statusCode).toBe(400);
    expect(res.json().errors._errors[0].code).toBe('CONTENT_TYPE_INVALID');
  });
});
