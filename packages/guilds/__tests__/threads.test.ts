import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import { beforeEach, describe, expect, it } from 'vitest';
import { MissingAccessError } from '../src/index.js';
import { createHarness, type Harness, seedGuild } from './communityHarness.js';

let h: Harness;
let s: Awaited<ReturnType<typeof seedGuild>>;

beforeEach(async () => {
  h = await createHarness();
  s = await seedGuild(h);
});

describe('threads', () => {
  it('a public thread from a message takes its id, its creator joins, and posting counts as activity', async () => {
    const { community } = h;
    const message = await community.messages.create(s.alice, s.general.id, { content: 'topic' });
    const thread = await community.threads.create(s.bob, s.guild.id, s.general.id, { name: 'discussion' }, message.id);
    expect(thread).toMatchObject({
      id: message.id,
      type: 11,
      parent_id: s.general.id,
      owner_id: s.bob,
      member: { user_id: s.bob },
    });
    expect(h.gateway.events('THREAD_CREATE').at(-1)).toMatchObject({
      data: { newly_created: true },
      to: { channelId: s.general.id },
    });
    await expect(
      community.threads.create(s.bob, s.guild.id, s.general.id, { name: 'again' }, message.id),
    ).rejects.toMatchObject({ code: 160004 });
    const reply = await community.messages.create(s.carol, thread.id, { content: 'in thread' });
    expect(reply.channel_id).toBe(thread.id);
    expect((await community.threads.members(s.owner, s.guild.id, thread.id)).map((m) => m.user_id)).toEqual([
      s.bob,
      s.carol,
    ]);
    expect((await community.threads.active(s.alice, s.guild.id)).threads.map((t) => t.id)).toEqual([thread.id]);
    const snapshot = await community.directory.guild(s.guild.id);
    expect(snapshot?.threads).toEqual([expect.objectContaining({ id: thread.id })]);
  });

  it('threads take their parent’s overwrites: hidden parent, hidden thread', async () => {
    const { community } = h;
    const thread = await community.threads.create(s.bob, s.guild.id, s.general.id, { name: 't', type: 11 });
    expect(community.directory.canView(s.alice, s.guild.id, thread.id)).toBe(true);
    await community.channels.editOverwrite(s.owner, s.guild.id, s.general.id, s.alice, {
      type: 1,
      allow: '0',
      deny: String(P.ViewChannel),
    });
    expect(community.directory.canView(s.alice, s.guild.id, thread.id)).toBe(false);
    await community.channels.editOverwrite(s.owner, s.guild.id, s.general.id, s.carol, {
      type: 1,
      allow: '0',
      deny: String(P.SendMessagesInThreads),
    });
    await expect(community.messages.create(s.carol, thread.id, { content: 'x' })).rejects.toMatchObject({
      code: 50013,
    });
    expect(await community.messages.create(s.carol, s.general.id, { content: 'parent is fine' })).toBeTruthy();
  });

  it('private threads are seen by their members and thread managers only', async () => {
    const { community } = h;
    const thread = await community.threads.create(s.alice, s.guild.id, s.general.id, { name: 'secret', type: 12 });
    expect(community.directory.canView(s.alice, s.guild.id, thread.id)).toBe(true);
    expect(community.directory.canView(s.bob, s.guild.id, thread.id)).toBe(false);
    expect(community.directory.canView(s.owner, s.guild.id, thread.id)).toBe(true);
    await expect(community.messages.create(s.bob, thread.id, { content: 'x' })).rejects.toBeInstanceOf(
      MissingAccessError,
    );
    await community.threads.addMember(s.alice, s.guild.id, thread.id, s.bob);
    expect(community.directory.canView(s.bob, s.guild.id, thread.id)).toBe(true);
    expect(h.gateway.events('THREAD_CREATE').at(-1)?.to).toEqual({ userIds: [s.bob], guildId: s.guild.id });
    expect(h.gateway.events('THREAD_MEMBERS_UPDATE').at(-1)?.data).toMatchObject({
      id: thread.id,
      member_count: 2,
      added_members: [{ user_id: s.bob }],
    });
    await community.threads.removeMember(s.bob, s.guild.id, thread.id);
    expect(community.directory.canView(s.bob, s.guild.id, thread.id)).toBe(false);
    const snapshot = await community.directory.guild(s.guild.id);
    expect(snapshot?.threads).toEqual([]);
  });

  it('archiving: the owner may, locking needs MANAGE_THREADS, posting unarchives an unlocked thread', async () => {
    const { community } = h;
    const thread = await community.threads.create(s.bob, s.guild.id, s.general.id, { name: 't' });
    await community.threads.modify(s.bob, s.guild.id, thread.id, { archived: true });
    expect((await community.threads.active(s.bob, s.guild.id)).threads).toEqual([]);
    expect(
      (await community.threads.archived(s.bob, s.guild.id, s.general.id, 'public')).threads.map((t) => t.id),
    ).toEqual([thread.id]);
    await community.messages.create(s.carol, thread.id, { content: 'revive' });
    expect((await community.channels.get(s.bob, s.guild.id, thread.id)) as unknown).toMatchObject({
      thread_metadata: { archived: false },
    });
    await expect(community.threads.modify(s.bob, s.guild.id, thread.id, { locked: true })).rejects.toMatchObject({
      code: 50013,
    });
    await community.channels.modify(s.owner, s.guild.id, thread.id, { locked: true, archived: true });
    await expect(community.messages.create(s.carol, thread.id, { content: 'no' })).rejects.toMatchObject({
      code: 50083,
    });
    await expect(
      community.threads.modify(s.bob, s.guild.id, thread.id, { auto_archive_duration: 61 }),
    ).rejects.toMatchObject({ code: 50035 });
    await expect(community.channels.delete(s.bob, s.guild.id, thread.id)).rejects.toMatchObject({ code: 50013 });
    await community.channels.delete(s.owner, s.guild.id, thread.id);
    expect(h.gateway.events('THREAD_DELETE').at(-1)?.data).toEqual({
      id: thread.id,
      guild_id: s.guild.id,
      parent_id: s.general.id,
      type: 11,
    });
    await expect(community.messages.create(s.carol, thread.id, { content: 'gone' })).rejects.toMatchObject({
      code: 10003,
    });
  });
});
