import { serializeMessage } from '@concord/gateway-server/serialize';
import { WebhookClient } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, generousLimits, type TestApp } from './helpers/createTestApp.js';
import { type GuildFixture, guildFixture } from './helpers/guildFixture.js';
import { multipart, PNG_1x1 } from './helpers/multipart.js';

let t: TestApp;
let g: GuildFixture;
beforeAll(async () => {
  t = await createTestApp({ uploads: true });
  g = await guildFixture(t, 'owner', ['member']);
});
afterAll(() => t.close());

interface Hook {
  id: string;
  token: string;
  channel_id: string;
}

async function createHook(name = 'Hooky', channelId = g.channelId): Promise<Hook> {
  const res = await t.call('owner', 'POST', `/api/v10/channels/${channelId}/webhooks`, { name });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

const tokenPath = (hook: Hook) => `/api/v10/webhooks/${hook.id}/${hook.token}`;

describe('webhook management routes', () => {
  it('creates, lists, reads, modifies (moves) and deletes with MANAGE_WEBHOOKS; audit reason kept', async () => {
    const res = await t.call(
      'owner',
      'POST',
      `/api/v10/channels/${g.channelId}/webhooks`,
      { name: 'Hooky' },
      { 'x-audit-log-reason': 'for CI' },
    );
    expect(res.statusCode, res.body).toBe(200);
    const hook = res.json();
    expect(hook).toMatchObject({ type: 1, name: 'Hooky', guild_id: g.guildId, channel_id: g.channelId, avatar: null });
    expect(hook.user.id).toBe(t.user('owner').id);
    expect(hook.token).toHaveLength(68);
    const listed = await t.call('owner', 'GET', `/api/v10/channels/${g.channelId}/webhooks`);
    expect(listed.json().map((w: Hook) => w.id)).toContain(hook.id);
    const guildList = await t.call('owner', 'GET', `/api/v10/guilds/${g.guildId}/webhooks`);
    expect(guildList.json().map((w: Hook) => w.id)).toContain(hook.id);
    expect((await t.call('owner', 'GET', `/api/v10/webhooks/${hook.id}`)).json()).toMatchObject({ id: hook.id });

    const other = (await t.call('owner', 'POST', `/api/v10/guilds/${g.guildId}/channels`, { name: 'other' })).json();
    const moved = await t.call('owner', 'PATCH', `/api/v10/webhooks/${hook.id}`, { channel_id: other.id });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().channel_id).toBe(other.id);

    const log = await t.call('owner', 'GET', `/api/v10/guilds/${g.guildId}/audit-logs?action_type=50`);
    expect(log.json().audit_log_entries[0]).toMatchObject({ target_id: hook.id, reason: 'for CI' });

    expect((await t.call('owner', 'DELETE', `/api/v10/webhooks/${hook.id}`)).statusCode).toBe(204);
    const gone = await t.call('owner', 'GET', `/api/v10/webhooks/${hook.id}`);
    expect([gone.statusCode, gone.json().code]).toEqual([404, 10015]);
  });

  it('refuses without MANAGE_WEBHOOKS (50013), without a token (401), bad names (50035), the 16th (30007)', async () => {
    const channel = (await t.call('owner', 'POST', `/api/v10/guilds/${g.guildId}/channels`, { name: 'many' })).json();
    const path = `/api/v10/channels/${channel.id}/webhooks`;
    const denied = await t.call('member', 'POST', path, { name: 'x' });
    expect([denied.statusCode, denied.json().code]).toEqual([403, 50013]);
    expect((await t.call(null, 'GET', path)).statusCode).toBe(401);
    const bad = await t.call('owner', 'POST', path, { name: 'Clyde' });
    expect([bad.statusCode, bad.json().code]).toEqual([400, 50035]);
    expect(bad.json().errors.name._errors[0].code).toBe('USERNAME_INVALID_CONTAINS');
    for (let i = 0; i < 15; i++) await createHook(`h${i}`, channel.id);
    const full = await t.call('owner', 'POST', path, { name: 'h15' });
    expect([full.statusCode, full.json().code]).toEqual([400, 30007]);
  });
});

describe('webhook token routes (no authentication)', () => {
  it('reads, modifies and deletes by token, without `user`; a wrong token is 401 50027, an unknown id 10015', async () => {
    const hook = await createHook();
    const read = await t.call(null, 'GET', tokenPath(hook));
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json()).not.toHaveProperty('user');
    const renamed = await t.call(null, 'PATCH', tokenPath(hook), { name: 'Renamed' });
    expect(renamed.json()).toMatchObject({ name: 'Renamed' });
    const wrong = await t.call(null, 'GET', `/api/v10/webhooks/${hook.id}/${'x'.repeat(68)}`);
    expect([wrong.statusCode, wrong.json().code]).toEqual([401, 50027]);
    const unknown = await t.call(null, 'GET', `/api/v10/webhooks/123456789012345678/${hook.token}`);
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 10015]);
    expect((await t.call(null, 'DELETE', tokenPath(hook))).statusCode).toBe(204);
    expect((await t.call(null, 'GET', tokenPath(hook))).json().code).toBe(10015);
  });

  it('executes: 204 without wait, the message with wait=true; username override; X-RateLimit headers per webhook', async () => {
    const hook = await createHook();
    const quiet = await t.call(null, 'POST', tokenPath(hook), { content: 'quiet' });
    expect(quiet.statusCode, quiet.body).toBe(204);
    const res = await t.call(null, 'POST', `${tokenPath(hook)}?wait=true`, { content: 'loud', username: 'Other' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      content: 'loud',
      webhook_id: hook.id,
      author: { id: hook.id, username: 'Other', bot: true, discriminator: '0000' },
    });
    expect(res.headers['x-ratelimit-bucket']).toBeDefined();
    const history = await t.call('member', 'GET', `/api/v10/channels/${g.channelId}/messages?limit=2`);
    expect(history.json().map((m: { content: string }) => m.content)).toEqual(['loud', 'quiet']);
  });

  it('executes into a thread of its channel with thread_id', async () => {
    const hook = await createHook();
    const thread = (
      await t.call('owner', 'POST', `/api/v10/channels/${g.channelId}/threads`, { name: 'thread', type: 11 })
    ).json();
    const res = await t.call(null, 'POST', `${tokenPath(hook)}?wait=true&thread_id=${thread.id}`, { content: 'in' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().channel_id).toBe(thread.id);
    const read = await t.call(null, 'GET', `${tokenPath(hook)}/messages/${res.json().id}?thread_id=${thread.id}`);
    expect(read.json().content).toBe('in');
    const notInThread = await t.call(null, 'GET', `${tokenPath(hook)}/messages/${res.json().id}`);
    expect(notInThread.json().code).toBe(10008);
  });

  it('takes multipart payload_json + files[n] (stored under the webhook’s channel); edit adds files', async () => {
    const hook = await createHook();
    const { payload, headers } = await multipart([
      { name: 'payload_json', value: JSON.stringify({ content: 'with file' }) },
      { name: 'files[0]', value: PNG_1x1, filename: 'dot.png', type: 'image/png' },
    ]);
    const res = await t.app.inject({ method: 'POST', url: `${tokenPath(hook)}?wait=true`, payload, headers });
    expect(res.statusCode, res.body).toBe(200);
    const message = res.json();
    expect(message.attachments[0]).toMatchObject({ filename: 'dot.png', width: 1, height: 1 });
    expect(message.attachments[0].url).toContain(`/attachments/${g.channelId}/`);

    const edit = await multipart([
      {
        name: 'payload_json',
        value: JSON.stringify({ content: 'two files', attachments: [{ id: message.attachments[0].id }] }),
      },
      { name: 'files[0]', value: 'text', filename: 'notes.txt', type: 'text/plain' },
    ]);
    const edited = await t.app.inject({
      method: 'PATCH',
      url: `${tokenPath(hook)}/messages/${message.id}`,
      payload: edit.payload,
      headers: edit.headers,
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json().attachments.map((a: { filename: string }) => a.filename)).toEqual(['dot.png', 'notes.txt']);

    const wrong = await multipart([
      { name: 'payload_json', value: JSON.stringify({ content: 'x' }) },
      { name: 'files[0]', value: PNG_1x1, filename: 'dot.png', type: 'image/png' },
    ]);
    const refused = await t.app.inject({
      method: 'POST',
      url: `/api/v10/webhooks/${hook.id}/${'y'.repeat(68)}`,
      payload: wrong.payload,
      headers: wrong.headers,
    });
    expect([refused.statusCode, refused.json().code]).toEqual([401, 50027]);
  });

  it('edits and deletes its messages by token; invalid bodies are 50035 and store nothing', async () => {
    const hook = await createHook();
    const sent = (await t.call(null, 'POST', `${tokenPath(hook)}?wait=true`, { content: 'one' })).json();
    const edited = await t.call(null, 'PATCH', `${tokenPath(hook)}/messages/${sent.id}`, { content: 'two' });
    expect(edited.json()).toMatchObject({ id: sent.id, content: 'two' });
    expect((await t.call(null, 'GET', `${tokenPath(hook)}/messages/@original`)).json().code).toBe(10008);
    expect((await t.call(null, 'DELETE', `${tokenPath(hook)}/messages/${sent.id}`)).statusCode).toBe(204);
    expect((await t.call(null, 'GET', `${tokenPath(hook)}/messages/${sent.id}`)).json().code).toBe(10008);

    const before = (await t.call('owner', 'GET', `/api/v10/channels/${g.channelId}/messages?limit=1`)).json();
    for (const body of [
      { content: 'x'.repeat(2001) },
      { content: 'x', username: 'discord' },
      { content: 'x', flags: 'a' },
    ]) {
      const res = await t.call(null, 'POST', `${tokenPath(hook)}?wait=true`, body);
      expect([res.statusCode, res.json().code], res.body).toEqual([400, 50035]);
    }
    const after = (await t.call('owner', 'GET', `/api/v10/channels/${g.channelId}/messages?limit=1`)).json();
    expect(after[0]?.id).toBe(before[0]?.id);
  });
});

describe('the interaction webhook branch', () => {
  // An interaction token as InteractionService mints them (base64url of `interaction:<id>:<secret>`).
  const token = Buffer.from('interaction:123456789012345678:c2VjcmV0').toString('base64url');
  const app = '223456789012345678';
  const path = `/api/v10/webhooks/${app}/${token}`;
  // A whole message (the answer is held to Discord's schema), as InteractionService would answer.
  const message = JSON.parse(
    JSON.stringify(
      serializeMessage({
        id: '1',
        channel_id: '423456789012345678',
        author: { id: app, username: 'bot', bot: true },
        content: 'x',
        timestamp: 1_700_000_000_000,
      }),
    ),
  );

  it('routes follow-ups and @original reads, edits and deletes to the interactions, never to channel webhooks', async () => {
    const interactions = t.community.interactions;
    const followUp = vi.spyOn(interactions, 'followUp').mockResolvedValue(message as never);
    const getMessage = vi.spyOn(interactions, 'getMessage').mockResolvedValue(message as never);
    const editMessage = vi.spyOn(interactions, 'editMessage').mockResolvedValue(message as never);
    const deleteMessage = vi.spyOn(interactions, 'deleteMessage').mockResolvedValue();
    const channelOf = vi.spyOn(interactions, 'channelOf').mockResolvedValue(g.channelId);
    try {
      // No `wait`: a follow-up is answered with its message all the same.
      const sent = await t.call(null, 'POST', path, { content: 'follow' });
      expect([sent.statusCode, sent.json()]).toEqual([200, message]);
      expect(followUp).toHaveBeenCalledWith(app, token, { content: 'follow' }, { attachments: [] });
      expect((await t.call(null, 'GET', `${path}/messages/@original`)).json()).toEqual(message);
      expect(getMessage).toHaveBeenCalledWith(app, token, '@original');
      await t.call(null, 'PATCH', `${path}/messages/345678901234567890`, { content: 'e' });
      expect(editMessage).toHaveBeenCalledWith(app, token, '345678901234567890', { content: 'e' }, { attachments: [] });
      expect((await t.call(null, 'DELETE', `${path}/messages/@original`)).statusCode).toBe(204);
      expect(deleteMessage).toHaveBeenCalledWith(app, token, '@original');
      const nonsense = await t.call(null, 'GET', `${path}/messages/@latest`);
      expect(nonsense.json().code).toBe(10008);

      const { payload, headers } = await multipart([
        { name: 'payload_json', value: JSON.stringify({ content: 'file' }) },
        { name: 'files[0]', value: PNG_1x1, filename: 'dot.png', type: 'image/png' },
      ]);
      await t.app.inject({ method: 'POST', url: path, payload, headers });
      expect(channelOf).toHaveBeenCalledWith(app, token);
      const uploads = followUp.mock.calls.at(-1)![3]!.attachments!;
      expect(uploads[0]!.url).toContain(`/attachments/${g.channelId}/`);
      // The bare token path names no channel webhook.
      expect((await t.call(null, 'GET', path)).json().code).toBe(10015);
    } finally {
      vi.restoreAllMocks();
    }
  });
});

describe('hostile bodies on webhook routes', () => {
  it('deeply nested values in any field are a 4xx, never a 500', async () => {
    const hook = await createHook('deep');
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const targets: [string | null, string, string][] = [
      ['owner', 'POST', `/api/v10/channels/${g.channelId}/webhooks`],
      ['owner', 'PATCH', `/api/v10/webhooks/${hook.id}`],
      [null, 'PATCH', tokenPath(hook)],
      [null, 'POST', `${tokenPath(hook)}?wait=true`],
    ];
    for (const [who, method, url] of targets) {
      for (const field of ['name', 'avatar', 'channel_id', 'content', 'username', 'avatar_url', 'embeds', 'flags']) {
        const res = await t.call(who, method, url, `{"${field}":${deep}}`);
        expect(res.statusCode, `${method} ${url} ${field}`).toBeLessThan(500);
      }
    }
  });
});

describe('the webhook rate limit', () => {
  it('counts per webhook: a second webhook of the same channel has its own window', async () => {
    const app = await createTestApp({ rateLimits: { ...generousLimits, webhook: { limit: 1, windowMs: 60_000 } } });
    try {
      const guild = await guildFixture(app, 'owner');
      const make = async (name: string) =>
        (await app.call('owner', 'POST', `/api/v10/channels/${guild.channelId}/webhooks`, { name })).json() as Hook;
      const [a, b] = [await make('a'), await make('b')];
      expect((await app.call(null, 'POST', tokenPath(a), { content: '1' })).statusCode).toBe(204);
      const limited = await app.call(null, 'POST', tokenPath(a), { content: '2' });
      expect(limited.statusCode).toBe(429);
      expect((await app.call(null, 'POST', tokenPath(b), { content: '1' })).statusCode).toBe(204);
    } finally {
      await app.close();
    }
  });
});

describe('discord.js WebhookClient', () => {
  it('sends, edits and deletes through a WebhookClient', async () => {
    const hook = await createHook('djs');
    const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const client = new WebhookClient({ id: hook.id, token: hook.token }, { rest: { api: `${base}/api` } });
    try {
      const sent = await client.send({ content: 'from discord.js', username: 'DJS' });
      expect(sent).toMatchObject({ content: 'from discord.js', webhook_id: hook.id, author: { username: 'DJS' } });
      const edited = await client.editMessage(sent.id, { content: 'edited' });
      expect(edited.content).toBe('edited');
      expect((await client.fetchMessage(sent.id)).content).toBe('edited');
      await client.deleteMessage(sent.id);
      await expect(client.fetchMessage(sent.id)).rejects.toMatchObject({ code: 10008 });
    } finally {
      client.destroy();
    }
  });
});
