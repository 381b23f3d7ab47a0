// The per-recipient visibility check of gateway fan-out (`Directory.canView` for a channel-targeted dispatch such as
// MESSAGE_CREATE), ours (the community model's directory with its permission cache) against the gateway server's
// default `InMemoryDirectory`, which computes the permissions on every call, over the same guild: a small one (1 role)
// and a 100-role guild (members holding 5 roles each, a channel with 20 overwrites). One op = one recipient decided.
//   node --import tsx packages/guilds/bench/visibility.ts
// The steady state is measured (the cache warm, as it is between changes); a change empties the guild's cache and the
// next dispatch pays one computation per recipient, which is the baseline's cost on every dispatch.
import { type Comparison, compareOps, report } from '@concord/bench-kit';
import { InMemoryDirectory } from '@concord/gateway-server';
import { createInMemoryStore } from '@concord/storage-adapters';
import { createInMemoryEntityStore } from '@concord/storage-adapters/entities';
import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import { Community } from '../src/index.js';

const MEMBERS = Number(process.env.VISIBILITY_MEMBERS ?? 1000);
const rows: Comparison[] = [];

async function guildWith(roleCount: number) {
  const community = new Community({ store: createInMemoryEntityStore(), messages: createInMemoryStore() });
  const owner = '1000';
  await community.users.ensure({ id: owner, username: 'owner' });
  const guild = await community.guilds.create(owner, { name: 'bench' });
  const channel = (await community.channels.list(owner, guild.id)).find((c) => c.name === 'general')!;
  const roles: string[] = [];
  for (let i = 0; i < roleCount - 1; i++) {
    const bits = i % 3 === 0 ? P.SendMessages : i % 3 === 1 ? P.ViewChannel | P.AddReactions : P.EmbedLinks;
    roles.push((await community.roles.create(owner, guild.id, { name: `r${i}`, permissions: String(bits) })).id);
  }
  const invite = await community.invites.create(owner, channel.id, { max_age: 0 });
  const members: string[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    const id = String(2000 + i);
    await community.users.ensure({ id, username: `user${i}` });
    await community.invites.accept(id, invite.code);
    if (roles.length > 0) {
      const mine = Array.from({ length: Math.min(5, roles.length) }, (_, k) => roles[(i * 7 + k * 13) % roles.length]!);
      await community.members.modify(owner, guild.id, id, { roles: mine });
    }
    members.push(id);
  }
  if (roles.length > 0) {
    await community.channels.editOverwrite(owner, guild.id, channel.id, guild.id, {
      type: 0,
      allow: '0',
      deny: String(P.ViewChannel),
    });
    for (let i = 0; i < 15; i++) {
      await community.channels.editOverwrite(owner, guild.id, channel.id, roles[i * 6]!, {
        type: 0,
        allow: String(P.ViewChannel),
        deny: String(P.SendMessages),
      });
    }
    for (let i = 0; i < 4; i++) {
      await community.channels.editOverwrite(owner, guild.id, channel.id, members[i * 11]!, {
        type: 1,
        allow: '0',
        deny: String(P.ViewChannel),
      });
    }
  }
  const snapshot = await community.directory.guild(guild.id);
  const baseline = new InMemoryDirectory().addGuild(snapshot!);
  return { community, baseline, guildId: guild.id, channelId: channel.id, members };
}

let sink = 0;
for (const [label, roleCount] of [
  ['1-role', 1],
  ['100-roles', 100],
] as const) {
  const g = await guildWith(roleCount);
  // Both answer alike (a bench of different answers would compare nothing).
  for (const id of g.members) {
    if (g.community.directory.canView(id, g.guildId, g.channelId) !== g.baseline.canView(id, g.guildId, g.channelId)) {
      throw new Error(`directories disagree for ${id}`);
    }
  }
  rows.push(
    compareOps({
      bench: `guilds.visibility.${label}`,
      against: '@concord/gateway-server InMemoryDirectory',
      opsPerCall: g.members.length,
      ours: () => {
        for (const id of g.members) if (g.community.directory.canView(id, g.guildId, g.channelId) === true) sink++;
      },
      baseline: () => {
        for (const id of g.members) if (g.baseline.canView(id, g.guildId, g.channelId)) sink++;
      },
    }),
  );
}
// A message to a party: a voice channel hidden from `@everyone` and opened to its 4 members by member overwrites, in
// a game guild of PARTY_GUILD_MEMBERS players, all online. One op = the visibility decisions of one message: ours
// names the viewers (`channelViewers`: 4 + the owner) and the fan-out asks nobody else; the baseline is the
// per-recipient check the fan-out did before (our own cached `canView`, once per online member). "after-change": a
// channel of the guild changed just before (a party join elsewhere), which empties the guild's permission caches.
const PARTY_GUILD_MEMBERS = Number(process.env.PARTY_GUILD_MEMBERS ?? 10_000);
{
  const community = new Community({ store: createInMemoryEntityStore(), messages: createInMemoryStore() });
  const owner = '1000';
  await community.users.ensure({ id: owner, username: 'game' });
  const guild = await community.guilds.create(owner, { name: 'game' });
  const general = (await community.channels.list(owner, guild.id)).find((c) => c.name === 'general')!;
  const invite = await community.invites.create(owner, general.id, { max_age: 0 });
  const members: string[] = [];
  for (let i = 0; i < PARTY_GUILD_MEMBERS; i++) {
    const id = String(2000 + i);
    await community.users.ensure({ id, username: `player${i}` });
    await community.invites.accept(id, invite.code);
    members.push(id);
  }
  const hidden = { id: guild.id, type: 0 as const, allow: '0', deny: String(P.ViewChannel | P.Connect) };
  const party = await community.channels.create(owner, guild.id, {
    name: 'party',
    type: 2,
    permission_overwrites: [
      hidden,
      ...members.slice(0, 4).map((id) => ({ id, type: 1 as const, allow: String(P.ViewChannel), deny: '0' })),
    ],
  });
  const other = await community.channels.create(owner, guild.id, { name: 'other', type: 2 });
  const dir = community.directory;
  const viewers = dir.channelViewers(guild.id, party.id);
  const seeing = members.filter((id) => dir.canView(id, guild.id, party.id) === true);
  if (!viewers || viewers.length !== seeing.length + 1) throw new Error('the named viewers are not who sees the party');
  // A change elsewhere in the guild (another party's overwrite), applied to the guild's state as a dispatch would.
  const state = (dir as unknown as { guilds: { peek(id: string): { setChannel(c: unknown): void } } }).guilds.peek(
    guild.id,
  )!;
  let flip = false;
  const change = () => {
    flip = !flip;
    state.setChannel({ ...other, permission_overwrites: flip ? [hidden] : [] });
  };
  const named = () => {
    for (const id of dir.channelViewers(guild.id, party.id) ?? []) sink += id.length;
  };
  const everyone = () => {
    for (const id of members) if (dir.canView(id, guild.id, party.id) === true) sink++;
  };
  rows.push(
    compareOps({
      bench: 'guilds.visibility.party-message',
      against: 'per-recipient canView (our cache, warm)',
      opsPerCall: 1,
      ours: named,
      baseline: everyone,
    }),
    compareOps({
      bench: 'guilds.visibility.party-message.after-change',
      against: 'per-recipient canView after the same change',
      opsPerCall: 1,
      ours: () => {
        change();
        named();
      },
      baseline: () => {
        change();
        everyone();
      },
    }),
  );
}

report('Channel visibility per recipient (Directory.canView)', rows, [
  `${MEMBERS} members; party lines: ${PARTY_GUILD_MEMBERS} online players; sink ${sink > 0}`,
]);
