import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/createTestApp.js';
import { type GuildFixture, guildFixture } from './helpers/guildFixture.js';

let t: TestApp;
let g: GuildFixture;
beforeAll(async () => {
  t = await createTestApp();
  g = await guildFixture(t, 'owner', ['member', 'target']);
});
afterAll(() => t.close());

const api = (path: string) => `/api/v10${path}`;

describe('guilds', () => {
  it('creates, reads (with counts), modifies and deletes a guild', async () => {
    const created = await t.call('owner', 'POST', api('/guilds'), { name: 'Scratch' });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const read = await t.call('owner', 'GET', api(`/guilds/${id}?with_counts=true`));
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ id, name: 'Scratch', approximate_member_count: 1 });
    const patched = await t.call('owner', 'PATCH', api(`/guilds/${id}`), { name: 'Renamed' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().name).toBe('Renamed');
    expect((await t.call('owner', 'DELETE', api(`/guilds/${id}`))).statusCode).toBe(204);
    expect((await t.call('owner', 'GET', api(`/guilds/${id}`))).json().code).toBe(10004);
  });

  it('lists the caller’s guilds and lets a member leave', async () => {
    const mine = await t.call('member', 'GET', api('/users/@me/guilds'));
    expect(mine.statusCode).toBe(200);
    expect(mine.json().map((x: { id: string }) => x.id)).toContain(g.guildId);
    const leaver = await guildFixture(t, 'owner', ['leaver']);
    expect((await t.call('leaver', 'DELETE', api(`/users/@me/guilds/${leaver.guildId}`))).statusCode).toBe(204);
    const after = await t.call('leaver', 'GET', api('/users/@me/guilds'));
    expect(after.json().map((x: { id: string }) => x.id)).not.toContain(leaver.guildId);
  });
});

describe('channels', () => {
  it('lists, creates, reorders, reads, modifies and deletes channels', async () => {
    const list = await t.call('owner', 'GET', api(`/guilds/${g.guildId}/channels`));
    expect(list.json().length).toBe(4);
    const created = await t.call('owner', 'POST', api(`/guilds/${g.guildId}/channels`), { name: 'news', type: 0 });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const reorder = await t.call('owner', 'PATCH', api(`/guilds/${g.guildId}/channels`), [{ id, position: 5 }]);
    expect(reorder.statusCode).toBe(204);
    expect((await t.call('member', 'GET', api(`/channels/${id}`))).json()).toMatchObject({ id, name: 'news' });
    const patched = await t.call('owner', 'PATCH', api(`/channels/${id}`), { topic: 'Read me' });
    expect(patched.json().topic).toBe('Read me');
    const deleted = await t.call('owner', 'DELETE', api(`/channels/${id}`));
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json().id).toBe(id);
    expect((await t.call('owner', 'GET', api(`/channels/${id}`))).json().code).toBe(10003);
  });

  it('puts and deletes a permission overwrite', async () => {
    const member = t.user('member');
    const put = await t.call('owner', 'PUT', api(`/channels/${g.channelId}/permissions/${member.id}`), {
      type: 1,
      allow: '0',
      deny: '2048',
    });
    expect(put.statusCode).toBe(204);
    const channel = (await t.call('owner', 'GET', api(`/channels/${g.channelId}`))).json();
    expect(channel.permission_overwrites).toContainEqual({ id: member.id, type: 1, allow: '0', deny: '2048' });
    const del = await t.call('owner', 'DELETE', api(`/channels/${g.channelId}/permissions/${member.id}`));
    expect(del.statusCode).toBe(204);
  });
});

describe('roles and members', () => {
  it('creates, lists, reorders, modifies and deletes roles', async () => {
    const created = await t.call('owner', 'POST', api(`/guilds/${g.guildId}/roles`), {
      name: 'Mods',
      permissions: '2',
    });
    expect(created.statusCode).toBe(200);
    const id = created.json().id;
    expect((await t.call('member', 'GET', api(`/guilds/${g.guildId}/roles`))).json().length).toBe(2);
    expect((await t.call('member', 'GET', api(`/guilds/${g.guildId}/roles/${id}`))).json().name).toBe('Mods');
    const reordered = await t.call('owner', 'PATCH', api(`/guilds/${g.guildId}/roles`), [{ id, position: 1 }]);
    expect(reordered.statusCode).toBe(200);
    const patched = await t.call('owner', 'PATCH', api(`/guilds/${g.guildId}/roles/${id}`), { color: 0xff0000 });
    expect(patched.json().color).toBe(0xff0000);
    expect((await t.call('owner', 'DELETE', api(`/guilds/${g.guildId}/roles/${id}`))).statusCode).toBe(204);
  });

  it('lists, reads and modifies members, grants and removes roles, and kicks', async () => {
    const target = t.user('target');
    const list = await t.call('member', 'GET', api(`/guilds/${g.guildId}/members?limit=1000`));
    expect(list.json().length).toBe(3);
    const one = await t.call('member', 'GET', api(`/guilds/${g.guildId}/members/${target.id}`));
    expect(one.json().user.id).toBe(target.id);
    const nick = await t.call('owner', 'PATCH', api(`/guilds/${g.guildId}/members/${target.id}`), { nick: 'Tee' });
    expect(nick.json().nick).toBe('Tee');
    const me = await t.call('member', 'PATCH', api(`/guilds/${g.guildId}/members/@me`), { nick: 'Me' });
    expect(me.statusCode).toBe(200);
    expect(me.json().nick).toBe('Me');
    const role = (await t.call('owner', 'POST', api(`/guilds/${g.guildId}/roles`), { name: 'Tagged' })).json().id;
    const base = api(`/guilds/${g.guildId}/members/${target.id}/roles/${role}`);
    expect((await t.call('owner', 'PUT', base)).statusCode).toBe(204);
    expect((await t.call('owner', 'GET', api(`/guilds/${g.guildId}/members/${target.id}`))).json().roles).toContain(
      role,
    );
    expect((await t.call('owner', 'DELETE', base)).statusCode).toBe(204);
    const kickee = await guildFixture(t, 'owner', ['kickee']);
    const kicked = await t.call('owner', 'DELETE', api(`/guilds/${kickee.guildId}/members/${t.user('kickee').id}`));
    expect(kicked.statusCode).toBe(204);
  });
});

describe('bans', () => {
  it('bans, reads, lists and unbans', async () => {
    const banned = await guildFixture(t, 'owner', ['banned']);
    const user = t.user('banned');
    const path = api(`/guilds/${banned.guildId}/bans/${user.id}`);
    const reason = { 'x-audit-log-reason': encodeURIComponent('raids, twice') };
    expect((await t.call('owner', 'PUT', path, { delete_message_seconds: 0 }, reason)).statusCode).toBe(204);
    expect((await t.call('owner', 'GET', path)).json()).toEqual({
      reason: 'raids, twice',
      user: expect.objectContaining({ id: user.id }),
    });
    expect((await t.call('owner', 'GET', api(`/guilds/${banned.guildId}/bans?limit=10`))).json().length).toBe(1);
    expect((await t.call('owner', 'DELETE', path)).statusCode).toBe(204);
    expect((await t.call('owner', 'GET', path)).json().code).toBe(10026);
  });
});

describe('invites', () => {
  it('creates, lists, looks up, accepts and deletes invites', async () => {
    const created = await t.call('owner', 'POST', api(`/channels/${g.channelId}/invites`), { unique: true });
    expect(created.statusCode).toBe(200);
    const code = created.json().code;
    expect((await t.call('owner', 'GET', api(`/channels/${g.channelId}/invites`))).json().length).toBeGreaterThan(0);
    expect((await t.call('owner', 'GET', api(`/guilds/${g.guildId}/invites`))).json().length).toBeGreaterThan(0);
    const looked = await t.call('stranger', 'GET', api(`/invites/${code}?with_counts=true`));
    expect(looked.json()).toMatchObject({ code, guild: { id: g.guildId } });
    const accepted = await t.call('stranger', 'POST', api(`/invites/${code}`));
    expect(accepted.statusCode).toBe(200);
    expect((await t.call('stranger', 'GET', api(`/guilds/${g.guildId}`))).statusCode).toBe(200);
    expect((await t.call('owner', 'DELETE', api(`/invites/${code}`))).statusCode).toBe(200);
    expect((await t.call('owner', 'GET', api(`/invites/${code}`))).json().code).toBe(10006);
    expect((await t.call('owner', 'GET', api('/invites/not%20a%20code'))).json().code).toBe(10006);
  });
});

describe('users and DMs', () => {
  it('reads oneself and another user, edits oneself, opens and lists DMs', async () => {
    const member = t.user('member');
    expect((await t.call('owner', 'GET', api(`/users/${member.id}`))).json()).toMatchObject({ id: member.id });
    expect((await t.call('owner', 'GET', api('/users/1'))).json().code).toBe(10013);
    const edited = await t.call('member', 'PATCH', api('/users/@me'), { global_name: 'Member One' });
    expect(edited.json().global_name).toBe('Member One');
    const dm = await t.call('owner', 'POST', api('/users/@me/channels'), { recipient_id: member.id });
    expect(dm.statusCode).toBe(200);
    expect(dm.json()).toMatchObject({ type: 1, recipients: [{ id: member.id }] });
    const again = await t.call('owner', 'POST', api('/users/@me/channels'), { recipient_id: member.id });
    expect(again.json().id).toBe(dm.json().id);
    const group = await t.call('owner', 'POST', api('/users/@me/channels'), {
      recipients: [member.id, t.user('target').id],
    });
    expect(group.statusCode).toBe(200);
    expect(group.json().type).toBe(3);
    const list = await t.call('owner', 'GET', api('/users/@me/channels'));
    expect(list.json().map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining([dm.json().id]));
    expect((await t.call('owner', 'GET', api(`/channels/${dm.json().id}`))).json().id).toBe(dm.json().id);
  });

  it('answers the gateway and application routes a bot library reads at login', async () => {
    const bot = await t.call('owner', 'GET', api('/gateway/bot'));
    expect(bot.json()).toMatchObject({ shards: 1, session_start_limit: { max_concurrency: 1 } });
    expect((await t.call('owner', 'GET', api('/applications/@me'))).json().id).toBe(t.user('owner').id);
    expect((await t.call('owner', 'GET', api('/oauth2/applications/@me'))).statusCode).toBe(200);
  });
});

describe('audit log', () => {
  it('records the URL-encoded X-Audit-Log-Reason with the action and lists it', async () => {
    const reason = 'Spam in #general — “repeat offender” ✓';
    const res = await t.call(
      'owner',
      'PATCH',
      api(`/guilds/${g.guildId}`),
      { name: 'Audited' },
      {
        'x-audit-log-reason': encodeURIComponent(reason),
      },
    );
    expect(res.statusCode).toBe(200);
    const log = await t.call('owner', 'GET', api(`/guilds/${g.guildId}/audit-logs?action_type=1&limit=5`));
    expect(log.statusCode).toBe(200);
    const body = log.json();
    expect(body.audit_log_entries[0]).toMatchObject({ action_type: 1, reason, user_id: t.user('owner').id });
    expect(body.users.map((u: { id: string }) => u.id)).toContain(t.user('owner').id);
  });

  it('refuses an over-long or malformed reason with 50035 before anything changes', async () => {
    const long = await t.call(
      'owner',
      'PATCH',
      api(`/guilds/${g.guildId}`),
      { name: 'Nope' },
      {
        'x-audit-log-reason': 'x'.repeat(513),
      },
    );
    expect(long.statusCode).toBe(400);
    expect(long.json().errors.audit_log_reason._errors[0].code).toBe('BASE_TYPE_BAD_LENGTH');
    const bad = await t.call(
      'owner',
      'PATCH',
      api(`/guilds/${g.guildId}`),
      { name: 'Nope' },
      {
        'x-audit-log-reason': '%E0%A4%A',
      },
    );
    expect(bad.statusCode).toBe(400);
    expect((await t.call('owner', 'GET', api(`/guilds/${g.guildId}`))).json().name).not.toBe('Nope');
  });
});
