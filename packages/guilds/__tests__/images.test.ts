import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, seedGuild } from './communityHarness.js';

/** A valid 1×1 PNG. */
const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

let h: Harness;
let s: Awaited<ReturnType<typeof seedGuild>>;

beforeEach(async () => {
  h = await createHarness();
  s = await seedGuild(h);
});

describe('custom emoji', () => {
  it('creates with CREATE_GUILD_EXPRESSIONS, stores the image at the CDN path, dispatches the whole list', async () => {
    const { community } = h;
    const emoji = await community.emojis.create(s.owner, s.guild.id, { name: 'blob_wave', image: PNG });
    expect(emoji).toMatchObject({ name: 'blob_wave', animated: false, user: { id: s.owner } });
    expect(await h.blobs.stat(`emojis/${emoji.id}.png`)).toMatchObject({
      contentType: 'image/png',
      width: 1,
      height: 1,
    });
    expect(
      h.gateway
        .events('GUILD_EMOJIS_UPDATE')
        .at(-1)
        ?.data.emojis.map((e: { id: string }) => e.id),
    ).toEqual([emoji.id]);
    const message = await community.messages.create(s.alice, s.general.id, { content: 'x' });
    await community.reactions.add(s.bob, s.general.id, message.id, `blob_wave:${emoji.id!}`);
    expect((await community.messages.get(s.bob, s.general.id, message.id)).reactions?.[0]?.emoji).toEqual({
      id: emoji.id,
      name: 'blob_wave',
    });
    await community.emojis.delete(s.owner, s.guild.id, emoji.id!);
    expect(await h.blobs.stat(`emojis/${emoji.id}.png`)).toBeNull();
    expect(await community.emojis.list(s.alice, s.guild.id)).toEqual([]);
  });

  it('refuses bad names and images, members without the permission, and edits of others’ emoji', async () => {
    const { community } = h;
    await expect(community.emojis.create(s.owner, s.guild.id, { name: 'x', image: PNG })).rejects.toMatchObject({
      code: 50035,
    });
    await expect(
      community.emojis.create(s.owner, s.guild.id, { name: 'ok_name', image: 'data:image/gif;base64,AAAA' }),
    ).rejects.toMatchObject({ code: 50035 });
    await expect(
      community.emojis.create(s.owner, s.guild.id, {
        name: 'ok_name',
        image: `data:image/png;base64,${'A'.repeat(400_000)}`,
      }),
    ).rejects.toMatchObject({ code: 50035 });
    await expect(community.emojis.create(s.alice, s.guild.id, { name: 'ok_name', image: PNG })).rejects.toMatchObject({
      code: 50013,
    });
    const maker = await community.roles.create(s.owner, s.guild.id, {
      name: 'maker',
      permissions: String(P.CreateGuildExpressions),
    });
    await community.members.addRole(s.owner, s.guild.id, s.alice, maker.id);
    await community.members.addRole(s.owner, s.guild.id, s.bob, maker.id);
    const mine = await community.emojis.create(s.alice, s.guild.id, { name: 'mine', image: PNG });
    expect((await community.emojis.modify(s.alice, s.guild.id, mine.id!, { name: 'renamed' })).name).toBe('renamed');
    await expect(community.emojis.modify(s.bob, s.guild.id, mine.id!, { name: 'stolen' })).rejects.toMatchObject({
      code: 50013,
    });
  });
});

describe('avatars and icons', () => {
  it('stores a data URI avatar under its hash and dispatches USER_UPDATE', async () => {
    const me = await h.community.users.modifyMe(s.alice, { avatar: PNG });
    expect(me.avatar).toMatch(/^[0-9a-f]{32}$/);
    expect(await h.blobs.stat(`avatars/${s.alice}/${me.avatar}.png`)).toMatchObject({ contentType: 'image/png' });
    await expect(h.community.users.modifyMe(s.alice, { avatar: 'not an image' })).rejects.toMatchObject({
      code: 50035,
    });
    expect((await h.community.users.modifyMe(s.alice, { avatar: null })).avatar).toBeNull();
  });

  it('a guild icon is stored under the guild', async () => {
    const guild = await h.community.guilds.modify(s.owner, s.guild.id, { icon: PNG });
    expect(await h.blobs.stat(`icons/${s.guild.id}/${guild.icon}.png`)).not.toBeNull();
  });
});
