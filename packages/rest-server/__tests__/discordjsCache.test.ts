// A real discord.js v14 bot, logged in to a whole server (concordRest + GatewayServer + Community) on 127.0.0.1, keeps
// a cache identical to the server's state: the owner changes the guild step by step through REST, and after each step
// the bot's cache (built only from the gateway events it received) must equal what REST answers, field by field.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UserData } from '@concord/gateway-server';
import { SnowflakeGenerator } from '@concord/snowflake';
import { createInMemoryStore } from '@concord/storage-adapters';
import { type BlobStore, createLocalDiskBlobStore } from '@concord/storage-adapters/blobs';
import { createInMemoryEntityStore } from '@concord/storage-adapters/entities';
import { Client, Events, GatewayIntentBits, type TextChannel } from 'discord.js';
import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botShape, type GuildShape, type RestState, restShape } from './helpers/cacheShapes.js';
import { type ConcordNode, startConcordNode } from './helpers/concordNode.js';
import { diffShapes } from './helpers/diffShapes.js';
import { PNG_1x1 } from './helpers/multipart.js';

const ids = new SnowflakeGenerator({ workerId: 7 });
const person = (username: string, bot = false): UserData & { token: string } => ({
  id: ids.nextString(),
  username,
  bot,
  token: `${username}-token`,
});
const owner = person('owner');
const member = person('member');
const bot = person('cachebot', true);
const users = new Map<string, UserData>([owner, member, bot].map((u) => [u.token, u] as const));

/** How long one step may take to reach the bot; polling stops as soon as the cache matches. */
const SETTLE_MS = 5000;

let node: ConcordNode;
let blobs: BlobStore;
let blobDir: string;
let client: Client;
let guildId: string;
let inviteCode: string;
/** Messages whose cached copy (content, reactions) is compared. */
const tracked: { channelId: string; id: string }[] = [];
/** The REST shape after the previous step: every step must change it. */
let previous: GuildShape;
type Made = 'general' | 'text' | 'voice' | 'category' | 'child' | 'mods' | 'helpers' | 'thread' | 'message';
/** Ids of what the steps made, by name. */
const made = {} as Record<Made, string>;

async function api<T = unknown>(who: { token: string }, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${node.url}/api/v10${path}`, {
    method,
    headers: {
      authorization: `Bot ${who.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** The server's state of the guild, read through REST (messages with the bot's token, so `me` is the bot's). */
async function restState(): Promise<GuildShape> {
  const g = `/guilds/${guildId}`;
  const [guild, roles, channels, active, members, emojis, bans] = await Promise.all([
    api<RestState['guild']>(owner, 'GET', g),
    api<RestState['roles']>(owner, 'GET', `${g}/roles`),
    api<RestState['channels']>(owner, 'GET', `${g}/channels`),
    api<{ threads: RestState['threads'] }>(owner, 'GET', `${g}/threads/active`),
    api<RestState['members']>(owner, 'GET', `${g}/members?limit=1000`),
    api<RestState['emojis']>(owner, 'GET', `${g}/emojis`),
    api<RestState['bans']>(owner, 'GET', `${g}/bans`),
  ]);
  // The guild object and the roles route agree, and so do the member list and each member's own route.
  expect(diffShapes(restShape(stateOf({ roles: guild.roles })).roles, restShape(stateOf({ roles })).roles)).toEqual([]);
  for (const m of members) {
    const one = await api<RestState['members'][number]>(owner, 'GET', `${g}/members/${m.user.id}`);
    expect(diffShapes(restShape(stateOf({ members: [m] })), restShape(stateOf({ members: [one] })))).toEqual([]);
  }
  const messages = await Promise.all(
    tracked.map((m) => api<RestState['messages'][number]>(bot, 'GET', `/channels/${m.channelId}/messages/${m.id}`)),
  );
  return restShape({ guild, roles, channels, threads: active.threads, members, emojis, bans, messages });
}

function stateOf(part: Partial<RestState>): RestState {
  const empty = { guild: { name: '', owner_id: '' } as RestState['guild'], roles: [], channels: [], threads: [] };
  return { ...empty, members: [], emojis: [], bans: [], messages: [], ...part };
}

/**
 * Waits (bounded) until the bot's cache equals the server's state after a step, then asserts it field by field: a
 * mismatch fails naming every differing field. The step must have changed the state (so the bot had something to
 * receive).
 */
async function expectCacheInSync(step: string): Promise<void> {
  const rest = await restState();
  expect(diffShapes(previous, rest), `${step} changed nothing visible`).not.toEqual([]);
  previous = rest;
  const deadline = Date.now() + SETTLE_MS;
  let diff = ['the bot has no such guild'];
  while (Date.now() < deadline) {
    const cached = botShape(
      client,
      guildId,
      tracked.map((m) => m.id),
    );
    diff = cached === null ? ['the bot has no such guild'] : diffShapes(rest, cached);
    if (diff.length === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(diff, `after "${step}" the bot's cache differs from REST`).toEqual([]);
}

beforeAll(async () => {
  blobDir = mkdtempSync(join(tmpdir(), 'concord-djs-cache-'));
  blobs = createLocalDiskBlobStore({ directory: blobDir });
  node = await startConcordNode({
    store: createInMemoryEntityStore(),
    messages: createInMemoryStore(),
    blobs,
    users,
  });
  // The owner's guild, with the member joined through an invite, before the bot exists.
  guildId = (await api<{ id: string }>(owner, 'POST', '/guilds', { name: 'Cache parity' })).id;
  const general = (await api<{ id: string; type: number }[]>(owner, 'GET', `/guilds/${guildId}/channels`)).find(
    (c) => c.type === 0,
  )!.id;
  made.general = general;
  inviteCode = (await api<{ code: string }>(owner, 'POST', `/channels/${general}/invites`, { max_age: 0 })).code;
  await api(member, 'POST', `/invites/${inviteCode}`);

  client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMembers,
      GatewayIntentBits.GuildModeration,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.GuildMessageReactions,
      GatewayIntentBits.MessageContent,
      GatewayIntentBits.GuildEmojisAndStickers,
      GatewayIntentBits.DirectMessages,
    ],
    rest: { api: `${node.url}/api` },
  });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(bot.token);
  await ready;
}, 30_000);

afterAll(async () => {
  await client?.destroy();
  await node?.close();
  await blobs?.close();
  if (blobDir) rmSync(blobDir, { recursive: true, force: true });
});

describe('the compare helper', () => {
  it('names each differing field, and what one side lacks', () => {
    expect(
      diffShapes({ roles: { 1: { position: 2, name: 'a' } } }, { roles: { 1: { position: 3, name: 'a' } } }),
    ).toEqual(['roles.1.position: REST 2 ≠ bot 3']);
    expect(diffShapes({ channels: { 5: {} } }, { channels: {} })).toEqual([
      "channels.5: missing from the bot's cache (REST {})",
    ]);
    expect(diffShapes({ bans: ['1'] }, { bans: ['1', '2'] })).toEqual(['bans.length: REST 1 ≠ bot 2']);
  });
});

describe('a discord.js bot cache follows every change made through REST', { timeout: 30_000 }, () => {
  it('joins the guild through POST /oauth2/authorize and receives it whole', async () => {
    expect(client.guilds.cache.has(guildId)).toBe(false);
    previous = restShape(stateOf({}));
    const authorized = await api<{ location: string }>(
      owner,
      'POST',
      `/oauth2/authorize?client_id=${bot.id}&scope=bot`,
      { guild_id: guildId, permissions: String(P.ViewChannel | P.ReadMessageHistory), authorize: true },
    );
    expect(authorized.location).toMatch(/\/oauth2\/authorized$/);
    await expectCacheInSync('authorize the bot');
    // Its managed role carries what was asked for.
    const me = client.guilds.cache.get(guildId)!.members.me!;
    expect(
      me.roles.cache.some((r) => r.managed && r.permissions.bitfield === (P.ViewChannel | P.ReadMessageHistory)),
    ).toBe(true);
  });

  it('creates a text channel, a voice channel, and a category with a child', async () => {
    made.text = (
      await api<{ id: string }>(owner, 'POST', `/guilds/${guildId}/channels`, { name: 'text-a', type: 0 })
    ).id;
    await expectCacheInSync('create a text channel');
    made.voice = (
      await api<{ id: string }>(owner, 'POST', `/guilds/${guildId}/channels`, {
        name: 'voice-a',
        type: 2,
        bitrate: 96000,
      })
    ).id;
    await expectCacheInSync('create a voice channel');
    made.category = (
      await api<{ id: string }>(owner, 'POST', `/guilds/${guildId}/channels`, { name: 'Projects', type: 4 })
    ).id;
    await expectCacheInSync('create a category');
    made.child = (
      await api<{ id: string }>(owner, 'POST', `/guilds/${guildId}/channels`, {
        name: 'child',
        type: 0,
        parent_id: made.category,
        topic: 'inside the category',
      })
    ).id;
    await expectCacheInSync('create a channel in the category');
    expect((client.channels.cache.get(made.child) as TextChannel | undefined)?.parentId).toBe(made.category);
  });

  it("creates roles, edits one role's permissions and colour, and reorders them", async () => {
    made.mods = (await api<{ id: string }>(owner, 'POST', `/guilds/${guildId}/roles`, { name: 'mods' })).id;
    await expectCacheInSync('create role mods');
    made.helpers = (
      await api<{ id: string }>(owner, 'POST', `/guilds/${guildId}/roles`, { name: 'helpers', hoist: true })
    ).id;
    await expectCacheInSync('create role helpers');
    await api(owner, 'PATCH', `/guilds/${guildId}/roles/${made.mods}`, {
      permissions: String(P.KickMembers | P.ManageMessages | P.ViewChannel),
      color: 0x3498db,
      mentionable: true,
    });
    await expectCacheInSync('edit the permissions and colour of mods');
    const roles = await api<{ id: string; position: number }[]>(owner, 'GET', `/guilds/${guildId}/roles`);
    const mods = roles.find((r) => r.id === made.mods)!.position;
    const helpers = roles.find((r) => r.id === made.helpers)!.position;
    await api(owner, 'PATCH', `/guilds/${guildId}/roles`, [
      { id: made.mods, position: helpers },
      { id: made.helpers, position: mods },
    ]);
    await expectCacheInSync('swap the positions of mods and helpers');
  });

  it('sets role and member overwrites on a channel', async () => {
    await api(owner, 'PUT', `/channels/${made.text}/permissions/${made.mods}`, {
      type: 0,
      allow: String(P.ManageMessages),
      deny: String(P.AddReactions),
    });
    await expectCacheInSync('role overwrite');
    await api(owner, 'PUT', `/channels/${made.text}/permissions/${member.id}`, {
      type: 1,
      allow: '0',
      deny: String(P.AttachFiles),
    });
    await expectCacheInSync('member overwrite');
  });

  it('gives the member a role, changes their nick, kicks them and lets them back in', async () => {
    await api(owner, 'PUT', `/guilds/${guildId}/members/${member.id}/roles/${made.helpers}`);
    await expectCacheInSync('add a role to the member');
    await api(owner, 'PATCH', `/guilds/${guildId}/members/${member.id}`, { nick: 'the member' });
    await expectCacheInSync("change the member's nick");
    await api(owner, 'DELETE', `/guilds/${guildId}/members/${member.id}`);
    await expectCacheInSync('kick the member');
    expect(client.guilds.cache.get(guildId)!.members.cache.has(member.id)).toBe(false);
    await api(member, 'POST', `/invites/${inviteCode}`);
    await expectCacheInSync('the member accepts the invite again');
  });

  it('bans and unbans the member', async () => {
    await api(owner, 'PUT', `/guilds/${guildId}/bans/${member.id}`, {});
    await expectCacheInSync('ban the member');
    expect(client.guilds.cache.get(guildId)!.bans.cache.has(member.id)).toBe(true);
    await api(owner, 'DELETE', `/guilds/${guildId}/bans/${member.id}`);
    await expectCacheInSync('unban the member');
    await api(member, 'POST', `/invites/${inviteCode}`);
    await expectCacheInSync('the member joins once more');
  });

  it('creates a thread and posts in it', async () => {
    made.thread = (
      await api<{ id: string }>(owner, 'POST', `/channels/${made.text}/threads`, { name: 'topic', type: 11 })
    ).id;
    await expectCacheInSync('create a thread');
    const posted = await api<{ id: string }>(owner, 'POST', `/channels/${made.thread}/messages`, {
      content: 'in the thread',
    });
    tracked.push({ channelId: made.thread, id: posted.id });
    await expectCacheInSync('post in the thread');
  });

  it('adds and removes reactions and pins a message', async () => {
    const posted = await api<{ id: string }>(owner, 'POST', `/channels/${made.general}/messages`, { content: 'react' });
    tracked.push({ channelId: made.general, id: posted.id });
    made.message = posted.id;
    await expectCacheInSync('post a message');
    const reactions = `/channels/${made.general}/messages/${posted.id}/reactions`;
    await api(owner, 'PUT', `${reactions}/${encodeURIComponent('👍')}/@me`);
    await expectCacheInSync('the owner reacts 👍');
    await api(member, 'PUT', `${reactions}/${encodeURIComponent('👍')}/@me`);
    await expectCacheInSync('the member reacts 👍');
    await api(member, 'PUT', `${reactions}/${encodeURIComponent('🎉')}/@me`);
    await expectCacheInSync('the member reacts 🎉');
    await api(owner, 'DELETE', `${reactions}/${encodeURIComponent('👍')}/@me`);
    await expectCacheInSync('the owner removes 👍');
    await api(owner, 'DELETE', `${reactions}/${encodeURIComponent('🎉')}/${member.id}`);
    await expectCacheInSync("the owner removes the member's 🎉");

    await api(owner, 'PUT', `/channels/${made.general}/pins/${posted.id}`);
    await expectCacheInSync('pin the message');
    // The pins are reachable through the bot: the same list as REST's, each marked pinned.
    const channel = client.channels.cache.get(made.general) as TextChannel;
    const pins = await channel.messages.fetchPinned(false);
    const restPins = await api<{ id: string; pinned: boolean }[]>(owner, 'GET', `/channels/${made.general}/pins`);
    expect([...pins.keys()]).toEqual(restPins.map((m) => m.id));
    expect([...pins.values()].map((m) => m.pinned)).toEqual(restPins.map(() => true));
    expect(restPins.map((m) => m.id)).toEqual([posted.id]);

    const second = await api<{ id: string }>(owner, 'POST', `/channels/${made.general}/messages`, {
      content: 'pin me',
    });
    tracked.push({ channelId: made.general, id: second.id });
    await expectCacheInSync('post a second message');
    await api(owner, 'PUT', `/channels/${made.general}/pins/${second.id}`);
    await expectCacheInSync('pin the second message');
    await api(owner, 'DELETE', `/channels/${made.general}/pins/${second.id}`);
    await expectCacheInSync('unpin the second message');
    await api(owner, 'DELETE', `/channels/${made.general}/pins/${posted.id}`);
    await expectCacheInSync('unpin the first message');
    expect((client.channels.cache.get(made.general) as TextChannel).lastPinTimestamp).toBe(null);
  });

  it('creates an emoji and renames the guild', async () => {
    const image = `data:image/png;base64,${PNG_1x1.toString('base64')}`;
    await api(owner, 'POST', `/guilds/${guildId}/emojis`, { name: 'dot', image });
    await expectCacheInSync('create an emoji');
    await api(owner, 'PATCH', `/guilds/${guildId}`, { name: 'Cache parity, renamed' });
    await expectCacheInSync('rename the guild');
    expect(client.guilds.cache.get(guildId)!.name).toBe('Cache parity, renamed');
  });
});
