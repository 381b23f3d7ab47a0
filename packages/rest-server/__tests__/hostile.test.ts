import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/createTestApp.js';
import { type GuildFixture, guildFixture } from './helpers/guildFixture.js';

let t: TestApp;
let g: GuildFixture;
beforeAll(async () => {
  t = await createTestApp({ onInternalError: (error) => internal.push(error) });
  g = await guildFixture(t, 'owner', ['member']);
});
afterAll(() => t.close());
const internal: unknown[] = [];

/** Every hostile request gets a Discord error (4xx with `code`), never a 500 or a foreign format. */
function expectDiscordRefusal(res: { statusCode: number; body: string }, label: string) {
  expect(res.statusCode, `${label}: ${res.body}`).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, `${label}: ${res.body}`).toBeLessThan(500);
  const body = JSON.parse(res.body);
  expect(typeof body.message, label).toBe('string');
  if (res.statusCode !== 429) expect(typeof body.code, label).toBe('number');
  expect(body.statusCode, label).toBeUndefined(); // Fastify's own format
}

describe('hostile input', () => {
  it('deeply nested JSON in every body field is refused as a form error', async () => {
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const targets: [string, string][] = [
      ['POST', '/api/v10/guilds'],
      ['POST', `/api/v10/channels/${g.channelId}/messages`],
      ['PATCH', `/api/v10/guilds/${g.guildId}`],
      ['POST', `/api/v10/guilds/${g.guildId}/roles`],
      ['PATCH', `/api/v10/guilds/${g.guildId}/channels`],
      ['POST', '/api/v10/users/@me/channels'],
    ];
    for (const [method, url] of targets) {
      expectDiscordRefusal(await t.call('owner', method, url, deep), `${method} ${url} deep array`);
      const nested = `{"name":${deep},"content":${deep}}`;
      expectDiscordRefusal(await t.call('owner', method, url, nested), `${method} ${url} deep fields`);
    }
  });

  it('wrong JSON types everywhere are 400s', async () => {
    const bodies = ['null', '42', '"text"', 'true', '[]', '{"name":{"a":1},"content":[1],"recipient_id":{}}'];
    const targets: [string, string][] = [
      ['POST', '/api/v10/guilds'],
      ['POST', `/api/v10/channels/${g.channelId}/messages`],
      ['PATCH', `/api/v10/channels/${g.channelId}`],
      ['POST', `/api/v10/channels/${g.channelId}/invites`],
      ['PUT', `/api/v10/guilds/${g.guildId}/bans/${t.user('member').id}`],
      ['PATCH', `/api/v10/guilds/${g.guildId}/members/@me`],
      ['POST', '/api/v10/users/@me/channels'],
      ['PATCH', '/api/v10/users/@me'],
      ['POST', '/api/v10/interactions'],
      ['POST', `/api/v10/applications/${t.user('owner').id}/commands`],
      ['POST', `/api/v10/channels/${g.channelId}/webhooks`],
    ];
    for (const [method, url] of targets) {
      for (const body of bodies) {
        const res = await t.call('owner', method, url, body);
        if (res.statusCode < 300) continue; // a body the route may ignore (PUT ban with null, say)
        expectDiscordRefusal(res, `${method} ${url} ${body}`);
      }
    }
  });

  it('hostile path and query values are 4xx', async () => {
    const paths = [
      `/api/v10/channels/${'1'.repeat(5000)}`,
      '/api/v10/channels/-1/messages',
      '/api/v10/channels/01/messages',
      '/api/v10/channels/18446744073709551616',
      `/api/v10/channels/${g.channelId}/messages?limit=${'9'.repeat(400)}`,
      `/api/v10/channels/${g.channelId}/messages?before=%00`,
      `/api/v10/channels/${g.channelId}/messages/1/reactions/${'%F0%9F%91%8D'.repeat(500)}`,
      `/api/v10/channels/${g.channelId}/messages/1/reactions/%ZZ`,
      `/api/v10/invites/${'a'.repeat(2000)}`,
      '/api/v10/invites/..%2F..%2Fetc',
      '/api/v10/guilds/1/audit-logs?action_type=-1',
    ];
    for (const url of paths) expectDiscordRefusal(await t.call('owner', 'GET', url), url);
  });

  it('hostile headers are 4xx', async () => {
    const reasons = ['%', '%FF', 'a'.repeat(10_000), encodeURIComponent('\u0000bell\u0007'), '%E2%80'];
    for (const reason of reasons) {
      const res = await t.call(
        'owner',
        'PATCH',
        `/api/v10/guilds/${g.guildId}`,
        { name: 'Fine' },
        {
          'x-audit-log-reason': reason,
        },
      );
      expectDiscordRefusal(res, `reason ${reason.slice(0, 20)}`);
    }
    const type = await t.call('owner', 'POST', '/api/v10/guilds', '{}', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expectDiscordRefusal(type, 'form-urlencoded');
    const lying = await t.app.inject({
      method: 'POST',
      url: '/api/v10/guilds',
      headers: { authorization: 'owner', 'content-type': 'application/json', 'content-length': '5' },
      payload: '{"name":"abcdef"}',
    });
    expectDiscordRefusal(lying, 'content-length mismatch');
  });

  it('a flood of made-up ids never grows one user’s limiter beyond the global window', async () => {
    for (let i = 0; i < 50; i++) {
      const res = await t.call('member', 'GET', `/api/v10/channels/${1000 + i}`);
      expect(res.statusCode).toBe(404);
    }
  });

  // Bounded work (routes × fields), given room for a loaded machine.
  it('a deeply nested value in any field of any body is a 4xx, never a 500', { timeout: 30_000 }, async () => {
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const fields = [
      'name',
      'content',
      'embeds',
      'allowed_mentions',
      'message_reference',
      'attachments',
      'nonce',
      'tts',
      'permission_overwrites',
      'permissions',
      'roles',
      'nick',
      'recipients',
      'recipient_id',
      'messages',
      'topic',
      'parent_id',
      'position',
      'max_age',
      'owner_id',
      'delete_message_seconds',
      'communication_disabled_until',
      'type',
      'allow',
      'deny',
      'color',
      'icon',
      'global_name',
      'username',
      'id',
      'data',
      'components',
      'options',
      'flags',
      'avatar',
      'application_id',
      'channel_id',
    ];
    const member = t.user('member').id;
    const targets: [string, string][] = [
      ['POST', '/api/v10/guilds'],
      ['PATCH', `/api/v10/guilds/${g.guildId}`],
      ['POST', `/api/v10/guilds/${g.guildId}/channels`],
      ['PATCH', `/api/v10/channels/${g.channelId}`],
      ['PUT', `/api/v10/channels/${g.channelId}/permissions/${member}`],
      ['POST', `/api/v10/guilds/${g.guildId}/roles`],
      ['PATCH', `/api/v10/guilds/${g.guildId}/members/${member}`],
      ['POST', `/api/v10/channels/${g.channelId}/messages`],
      ['POST', `/api/v10/channels/${g.channelId}/messages/bulk-delete`],
      ['POST', `/api/v10/channels/${g.channelId}/invites`],
      ['POST', '/api/v10/users/@me/channels'],
      ['PATCH', '/api/v10/users/@me'],
      ['POST', '/api/v10/interactions'],
      ['POST', `/api/v10/applications/${t.user('owner').id}/commands`],
      ['POST', `/api/v10/channels/${g.channelId}/webhooks`],
    ];
    for (const [method, url] of targets) {
      for (const field of fields) {
        const res = await t.call('owner', method, url, `{"${field}":${deep}}`);
        expect(res.statusCode, `${method} ${url} ${field}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
      }
    }
  });

  it('logged no internal error', () => {
    expect(internal).toEqual([]);
  });
});
