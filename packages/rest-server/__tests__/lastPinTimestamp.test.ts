// A guild channel's `last_pin_timestamp` follows its pins in REST answers, as CHANNEL_PINS_UPDATE says on the gateway
// (found by discordjsCache.test.ts: a bot's cached lastPinTimestamp disagreed with GET /channels/{id}, which stayed null).
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

async function lastPin(): Promise<{ one: unknown; listed: unknown }> {
  const one = (await t.call('member', 'GET', api(`/channels/${g.channelId}`))).json().last_pin_timestamp;
  const channels = (await t.call('member', 'GET', api(`/guilds/${g.guildId}/channels`))).json() as {
    id: string;
    last_pin_timestamp?: string | null;
  }[];
  return { one, listed: channels.find((c) => c.id === g.channelId)?.last_pin_timestamp };
}

describe('last_pin_timestamp', () => {
  it('is the newest pin time after a pin, the previous one after its unpin, and null with no pins left', async () => {
    const post = async (content: string) =>
      (await t.call('owner', 'POST', api(`/channels/${g.channelId}/messages`), { content })).json().id as string;
    const first = await post('first');
    const second = await post('second');
    const pins = (id: string) => api(`/channels/${g.channelId}/pins/${id}`);

    expect((await t.call('owner', 'PUT', pins(first))).statusCode).toBe(204);
    const afterFirst = await lastPin();
    expect(afterFirst.one).toEqual(expect.any(String));
    expect(afterFirst.listed).toBe(afterFirst.one);

    await new Promise((r) => setTimeout(r, 5)); // two pins in one millisecond would share a time
    expect((await t.call('owner', 'PUT', pins(second))).statusCode).toBe(204);
    const afterSecond = await lastPin();
    expect(Date.parse(afterSecond.one as string)).toBeGreaterThan(Date.parse(afterFirst.one as string));
    expect(afterSecond.listed).toBe(afterSecond.one);

    expect((await t.call('owner', 'DELETE', pins(second))).statusCode).toBe(204);
    expect(await lastPin()).toEqual(afterFirst);
    expect((await t.call('owner', 'DELETE', pins(first))).statusCode).toBe(204);
    expect(await lastPin()).toEqual({ one: null, listed: null });
  });
});
