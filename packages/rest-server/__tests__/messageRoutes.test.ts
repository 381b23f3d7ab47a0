import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/createTestApp.js';
import { type GuildFixture, guildFixture } from './helpers/guildFixture.js';

let t: TestApp;
let g: GuildFixture;
beforeAll(async () => {
  t = await createTestApp();
  g = await guildFixture(t, 'owner', ['member']);
});
afterAll(() => t.close());

const api = (path: string) => `/api/v10${path}`;
const messages = () => api(`/channels/${g.channelId}/messages`);

async function send(who: string, content: string): Promise<string> {
  const res = await t.call(who, 'POST', messages(), { content });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().id;
}

describe('messages', () => {
  it('sends, reads, edits and deletes a message', async () => {
    const id = await send('member', 'hello');
    const read = await t.call('owner', 'GET', `${messages()}/${id}`);
    expect(read.json()).toMatchObject({ id, content: 'hello', author: { id: t.user('member').id } });
    const edited = await t.call('member', 'PATCH', `${messages()}/${id}`, { content: 'hello again' });
    expect(edited.json().content).toBe('hello again');
    expect((await t.call('member', 'DELETE', `${messages()}/${id}`)).statusCode).toBe(204);
    expect((await t.call('owner', 'GET', `${messages()}/${id}`)).json().code).toBe(10008);
  });

  it('lists with limit and before/after/around, newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await send('owner', `m${i}`));
    const latest = await t.call('member', 'GET', `${messages()}?limit=2`);
    expect(latest.json().map((m: { id: string }) => m.id)).toEqual([ids[4], ids[3]]);
    const before = await t.call('member', 'GET', `${messages()}?before=${ids[2]}&limit=1`);
    expect(before.json().map((m: { id: string }) => m.id)).toEqual([ids[1]]);
    const after = await t.call('member', 'GET', `${messages()}?after=${ids[3]}`);
    expect(after.json().map((m: { id: string }) => m.id)).toEqual([ids[4]]);
    const around = await t.call('member', 'GET', `${messages()}?around=${ids[2]}&limit=3`);
    expect(around.json().map((m: { id: string }) => m.id)).toEqual([ids[3], ids[2], ids[1]]);
    const both = await t.call('member', 'GET', `${messages()}?before=${ids[2]}&after=${ids[1]}`);
    expect(both.statusCode).toBe(400);
    expect(both.json().code).toBe(50035);
  });

  it('bulk deletes', async () => {
    const a = await send('member', 'a');
    const b = await send('member', 'b');
    const res = await t.call('owner', 'POST', `${messages()}/bulk-delete`, { messages: [a, b] });
    expect(res.statusCode).toBe(204);
    expect((await t.call('owner', 'GET', `${messages()}/${a}`)).json().code).toBe(10008);
  });

  it('answers an empty message 50006 and a message to an unknown channel 10003', async () => {
    const empty = await t.call('member', 'POST', messages(), { content: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toEqual({ code: 50006, message: 'Cannot send an empty message' });
    const unknown = await t.call('member', 'POST', api('/channels/1/messages'), { content: 'x' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe(10003);
  });
});

describe('typing', () => {
  it('answers 204 in a channel the caller may post in, 10003 for an unknown one', async () => {
    expect((await t.call('member', 'POST', api(`/channels/${g.channelId}/typing`))).statusCode).toBe(204);
    const unknown = await t.call('member', 'POST', api('/channels/1234567890123/typing'));
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 10003]);
  });
});

describe('slowmode', () => {
  it('answers a second message within the slowmode with Discord’s 429 and code 20016', async () => {
    const slow = (
      await t.call('owner', 'POST', api(`/guilds/${g.guildId}/channels`), { name: 'slow', type: 0 })
    ).json();
    await t.call('owner', 'PATCH', api(`/channels/${slow.id}`), { rate_limit_per_user: 30 });
    const url = api(`/channels/${slow.id}/messages`);
    expect((await t.call('member', 'POST', url, { content: 'one' })).statusCode).toBe(200);
    const second = await t.call('member', 'POST', url, { content: 'two' });
    expect(second.statusCode).toBe(429);
    expect(second.json()).toEqual({
      message: 'This action cannot be performed due to slowmode rate limit.',
      retry_after: expect.any(Number),
      global: false,
      code: 20016,
    });
    expect(second.json().retry_after).toBeGreaterThan(25);
    expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(29);
  });
});

describe('reactions', () => {
  it('adds, lists, removes and clears reactions', async () => {
    const id = await send('owner', 'react to me');
    const base = `${messages()}/${id}/reactions`;
    const thumbs = encodeURIComponent('👍');
    expect((await t.call('member', 'PUT', `${base}/${thumbs}/@me`)).statusCode).toBe(204);
    expect((await t.call('owner', 'PUT', `${base}/${thumbs}/@me`)).statusCode).toBe(204);
    const users = await t.call('owner', 'GET', `${base}/${thumbs}?limit=10`);
    expect(
      users
        .json()
        .map((u: { id: string }) => u.id)
        .sort(),
    ).toEqual([t.user('member').id, t.user('owner').id].sort());
    const message = (await t.call('owner', 'GET', `${messages()}/${id}`)).json();
    expect(message.reactions[0]).toMatchObject({ count: 2, emoji: { name: '👍' } });
    expect((await t.call('member', 'DELETE', `${base}/${thumbs}/@me`)).statusCode).toBe(204);
    expect((await t.call('owner', 'DELETE', `${base}/${thumbs}/${t.user('owner').id}`)).statusCode).toBe(204);
    await t.call('member', 'PUT', `${base}/${thumbs}/@me`);
    expect((await t.call('owner', 'DELETE', `${base}/${thumbs}`)).statusCode).toBe(204);
    await t.call('member', 'PUT', `${base}/${thumbs}/@me`);
    expect((await t.call('owner', 'DELETE', base)).statusCode).toBe(204);
    expect((await t.call('owner', 'GET', `${base}/${thumbs}`)).json()).toEqual([]);
  });
});

describe('pins', () => {
  it('pins, lists and unpins', async () => {
    const id = await send('owner', 'pin me');
    expect((await t.call('owner', 'PUT', api(`/channels/${g.channelId}/pins/${id}`))).statusCode).toBe(204);
    const pins = await t.call('member', 'GET', api(`/channels/${g.channelId}/pins`));
    expect(pins.json().map((m: { id: string }) => m.id)).toContain(id);
    expect((await t.call('owner', 'DELETE', api(`/channels/${g.channelId}/pins/${id}`))).statusCode).toBe(204);
    expect((await t.call('member', 'GET', api(`/channels/${g.channelId}/pins`))).json()).toEqual([]);
  });

  it('pages pins at the current route, newest first, with their times', async () => {
    const a = await send('owner', 'first');
    const b = await send('owner', 'second');
    const pins = (id: string) => api(`/channels/${g.channelId}/messages/pins${id}`);
    expect((await t.call('owner', 'PUT', pins(`/${a}`))).statusCode).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await t.call('owner', 'PUT', pins(`/${b}`))).statusCode).toBe(204);
    const page = (await t.call('member', 'GET', pins('?limit=1'))).json();
    expect(page.has_more).toBe(true);
    expect(page.items.map((item: { message: { id: string } }) => item.message.id)).toEqual([b]);
    const older = (
      await t.call('member', 'GET', pins(`?before=${encodeURIComponent(page.items[0].pinned_at)}`))
    ).json();
    expect(older).toMatchObject({ has_more: false, items: [{ message: { id: a } }] });
    expect((await t.call('owner', 'DELETE', pins(`/${a}`))).statusCode).toBe(204);
    expect((await t.call('owner', 'DELETE', pins(`/${b}`))).statusCode).toBe(204);
  });
});

describe('DM messages', () => {
  it('sends in a DM through the same route', async () => {
    const dm = (
      await t.call('owner', 'POST', api('/users/@me/channels'), { recipient_id: t.user('member').id })
    ).json();
    const res = await t.call('owner', 'POST', api(`/channels/${dm.id}/messages`), { content: 'psst' });
    expect(res.statusCode).toBe(200);
    const list = await t.call('member', 'GET', api(`/channels/${dm.id}/messages`));
    expect(list.json()[0].content).toBe('psst');
    expect((await t.call('stranger', 'GET', api(`/channels/${dm.id}/messages`))).statusCode).toBe(403);
  });
});
