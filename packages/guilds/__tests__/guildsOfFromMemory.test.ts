import { describe, expect, it } from 'vitest';
import { createHarness, type Harness, seedGuild } from './communityHarness.js';

/** The store's answer: the partitions of the user's member records (what guildsOf read on every Identify). */
async function stored(h: Harness, userId: string): Promise<string[]> {
  const out: string[] = [];
  for (const record of await h.store.listByRef('member', userId, { limit: 1000 })) out.push(record.partition);
  return out;
}

/** The directory's answer, which must come without a promise (from memory). */
function held(h: Harness, userId: string): string[] {
  const answer = h.community.directory.guildsOf(userId);
  expect(answer).toBeInstanceOf(Array);
  return answer as string[];
}

async function expectSame(h: Harness, userIds: readonly string[]): Promise<void> {
  for (const id of userIds) expect(held(h, id)).toEqual(await stored(h, id));
}

describe('a user’s guilds from memory (Community.loadGuilds)', () => {
  it('answers from the store until every guild is loaded, then from memory', async () => {
    const h = await createHarness();
    const s = await seedGuild(h);
    const before = h.community.directory.guildsOf(s.alice);
    expect(before).toBeInstanceOf(Promise);
    expect(await before).toEqual([s.guild.id]);
    expect(await h.community.loadGuilds()).toBe(true);
    expect(held(h, s.alice)).toEqual([s.guild.id]);
    expect(held(h, '999')).toEqual([]);
  });

  it('follows creates, joins, leaves, kicks, bans and deletes, in the store’s order', async () => {
    const h = await createHarness();
    const s = await seedGuild(h);
    await h.community.loadGuilds();
    const users = [s.owner, s.alice, s.bob, s.carol];
    // A guild made after the load, owned by bob: every one of its changes reaches the loaded state.
    const second = await h.community.guilds.create(s.bob, { name: 'Second' });
    await expectSame(h, users);
    const channels = await h.community.channels.list(s.bob, second.id);
    const invite = await h.community.invites.create(s.bob, channels[0]!.id, { max_age: 0 });
    for (const id of [s.alice, s.carol, s.owner]) await h.community.invites.accept(id, invite.code);
    await expectSame(h, users);
    expect(held(h, s.alice)).toEqual([s.guild.id, second.id]);
    await h.community.members.leave(s.alice, s.guild.id);
    await expectSame(h, users);
    expect(held(h, s.alice)).toEqual([second.id]);
    await h.community.members.kick(s.bob, second.id, s.carol);
    await expectSame(h, users);
    await h.community.members.ban(s.owner, s.guild.id, s.bob, {});
    await expectSame(h, users);
    expect(held(h, s.bob)).toEqual([second.id]);
    await h.community.guilds.delete(s.bob, second.id);
    await expectSame(h, users);
    expect(held(h, s.bob)).toEqual([]);
    expect(held(h, s.owner)).toEqual([s.guild.id]);
  });

  it('stays current on a node that did not make the changes', async () => {
    const a = await createHarness();
    const s = await seedGuild(a);
    const b = await createHarness({ store: a.store, messages: a.messages, clock: a.clock, broker: a.gateway.broker });
    expect(await b.community.loadGuilds()).toBe(true);
    const users = [s.owner, s.alice, s.bob, s.carol, '4000'];
    await a.community.users.ensure({ id: '4000', username: 'newcomer' });
    await a.community.invites.accept('4000', s.invite.code);
    await expectSame(b, users);
    expect(held(b, '4000')).toEqual([s.guild.id]);
    const other = await a.community.guilds.create('4000', { name: 'Elsewhere' });
    await expectSame(b, users);
    expect(held(b, '4000')).toEqual([s.guild.id, other.id]);
    await a.community.members.ban(s.owner, s.guild.id, '4000', {});
    await expectSame(b, users);
    await a.community.guilds.delete('4000', other.id);
    await expectSame(b, users);
    expect(held(b, '4000')).toEqual([]);
    await b.community.close();
  });

  it('leaves many guilds to the store', async () => {
    const h = await createHarness();
    const s = await seedGuild(h);
    for (let i = 0; i < 128; i++) await h.community.guilds.create(s.owner, { name: `g${i}` }, { ignoreLimit: true });
    expect(await h.community.loadGuilds()).toBe(false);
    const answer = h.community.directory.guildsOf(s.alice);
    expect(answer).toBeInstanceOf(Promise);
    expect(await answer).toEqual([s.guild.id]);
  });
});
