import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/createTestApp.js';
import { type GuildFixture, guildFixture } from './helpers/guildFixture.js';

let t: TestApp;
let g: GuildFixture;
beforeAll(async () => {
  t = await createTestApp();
  g = await guildFixture(t, 'owner', ['blocker', 'pest']);
});
afterAll(() => t.close());

const api = (path: string) => `/api/v10${path}`;

describe('relationship routes (blocks)', () => {
  it('PUT blocks, GET lists, DELETE unblocks; a blocked DM is 50007 both ways', async () => {
    const pest = t.user('pest').id;
    const dm = (await t.call('blocker', 'POST', api('/users/@me/channels'), { recipient_id: pest })).json();
    expect((await t.call('pest', 'POST', api(`/channels/${dm.id}/messages`), { content: 'hi' })).statusCode).toBe(200);
    expect((await t.call('blocker', 'PUT', api(`/users/@me/relationships/${pest}`), { type: 2 })).statusCode).toBe(204);
    expect((await t.call('blocker', 'GET', api('/users/@me/relationships'))).json()).toMatchObject([
      { id: pest, type: 2, user: { id: pest } },
    ]);
    for (const who of ['pest', 'blocker']) {
      const refused = await t.call(who, 'POST', api(`/channels/${dm.id}/messages`), { content: 'hello?' });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ code: 50007, message: 'Cannot send messages to this user' });
    }
    // Guild messages still go through (clients collapse them, as Discord's do).
    expect((await t.call('pest', 'POST', api(`/channels/${g.channelId}/messages`), { content: 'gg' })).statusCode).toBe(
      200,
    );
    const friendRequest = await t.call('blocker', 'PUT', api(`/users/@me/relationships/${pest}`), {});
    expect(friendRequest.statusCode).toBe(400);
    expect((await t.call('blocker', 'DELETE', api(`/users/@me/relationships/${pest}`))).statusCode).toBe(204);
    expect((await t.call('pest', 'POST', api(`/channels/${dm.id}/messages`), { content: 'ok' })).statusCode).toBe(200);
  });
});
