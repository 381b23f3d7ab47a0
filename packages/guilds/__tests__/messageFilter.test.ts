import { describe, expect, it } from 'vitest';
import { CommunityError, SlowmodeError } from '../src/index.js';
import type { FilteredMessage, MessageFilter, MessageFilterInput, MessageVerdict } from '../src/moderation.js';
import { createHarness, seedGuild } from './communityHarness.js';

/** A filter answering from a table by content, recording what it saw and what it was told. */
function tableFilter(table: Record<string, MessageVerdict>) {
  const seen: MessageFilterInput[] = [];
  const told: [FilteredMessage, string][] = [];
  const filter: MessageFilter = {
    check(input) {
      seen.push(input);
      if (input.content === 'throws') throw new Error('filter down');
      return table[input.content] ?? { action: 'allow' };
    },
    filtered(message, verdict) {
      told.push([message, verdict.action]);
    },
  };
  return { filter, seen, told };
}

async function setup(table: Record<string, MessageVerdict>) {
  const { filter, seen, told } = tableFilter(table);
  const h = await createHarness(undefined, { messageFilter: filter });
  const g = await seedGuild(h);
  return { ...h, ...g, seen, told };
}

describe('message filter', () => {
  it('allow stores as sent; the filter sees author, channel, guild and content', async () => {
    const { community, alice, general, guild, seen } = await setup({});
    const m = await community.messages.create(alice, general.id, { content: 'gg wp' });
    expect(m.content).toBe('gg wp');
    expect(seen).toEqual([{ authorId: alice, channelId: general.id, guildId: guild.id, content: 'gg wp' }]);
  });

  it("reject answers Discord's AutoMod error 200000 and stores nothing", async () => {
    const { community, alice, general, gateway } = await setup({ 'bad words': { action: 'reject', reason: 'slur' } });
    const error = await community.messages.create(alice, general.id, { content: 'bad words' }).catch((e) => e);
    expect(error).toBeInstanceOf(CommunityError);
    expect(error).toMatchObject({ code: 200000, status: 400 });
    expect(gateway.events('MESSAGE_CREATE')).toEqual([]);
    expect(await community.messages.list(alice, general.id, {})).toEqual([]);
  });

  it('mask stores and sends the replacement (mentions read from it); the filter is told with the original', async () => {
    const { community, alice, bob, general, gateway, told } = await setup({
      [`darn <@${'1002'}>`]: { action: 'mask', content: '**** <@1002>', reason: 'profanity' },
    });
    const m = await community.messages.create(alice, general.id, { content: `darn <@${bob}>` });
    expect(m.content).toBe('**** <@1002>');
    expect(m.mentions.map((u) => u.id)).toEqual([bob]);
    expect(gateway.events('MESSAGE_CREATE')[0]!.data.content).toBe('**** <@1002>');
    expect(told).toEqual([
      [
        {
          id: m.id,
          channelId: general.id,
          guildId: m.guild_id,
          authorId: alice,
          content: '**** <@1002>',
          original: `darn <@${bob}>`,
        },
        'mask',
      ],
    ]);
  });

  it('flag stores and delivers as sent, and the filter is told the stored id', async () => {
    const { community, alice, general, told } = await setup({ 'meet me irl': { action: 'flag', reason: 'grooming' } });
    const m = await community.messages.create(alice, general.id, { content: 'meet me irl' });
    expect(m.content).toBe('meet me irl');
    expect(told.map(([message, action]) => [message.id, action])).toEqual([[m.id, 'flag']]);
  });

  it('slow refuses with 429 and retry_after, like a slowmode', async () => {
    const { community, alice, general } = await setup({ spam: { action: 'slow', retryAfterSeconds: 7 } });
    const error = await community.messages.create(alice, general.id, { content: 'spam' }).catch((e) => e);
    expect(error).toBeInstanceOf(SlowmodeError);
    expect(error).toMatchObject({ status: 429, retryAfter: 7 });
  });

  it('edits are judged too; a failing filter refuses the message (fail closed)', async () => {
    const { community, alice, general, seen } = await setup({ 'edited badly': { action: 'reject' } });
    const m = await community.messages.create(alice, general.id, { content: 'fine' });
    await expect(community.messages.edit(alice, general.id, m.id, { content: 'edited badly' })).rejects.toMatchObject({
      code: 200000,
    });
    expect(seen.at(-1)).toMatchObject({ content: 'edited badly', editOf: m.id });
    expect((await community.messages.get(alice, general.id, m.id)).content).toBe('fine');
    await expect(community.messages.create(alice, general.id, { content: 'throws' })).rejects.toThrow('filter down');
    // Only content is judged: an edit of embeds alone does not call the filter.
    const calls = seen.length;
    await community.messages.edit(alice, general.id, m.id, { embeds: [{ title: 'score' }] });
    expect(seen.length).toBe(calls);
  });

  it('DMs go through it as well (guild null)', async () => {
    const { community, alice, bob, seen } = await setup({});
    const dm = await community.dms.open(alice, { recipient_id: bob });
    await community.messages.create(alice, dm.id, { content: 'hi' });
    expect(seen.at(-1)).toMatchObject({ guildId: null, channelId: dm.id });
  });
});
