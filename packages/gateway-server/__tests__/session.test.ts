import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../src/GatewayServer.js';
import { serializeMessage, serializeUser } from '../src/serialize/index.js';
import {
  ALL_NON_PRIVILEGED,
  connect,
  GUILD_A,
  GUILD_B,
  GUILD_PRESENCES,
  guild,
  MESSAGE_CONTENT,
  startServer,
  type TestClient,
} from './helpers.js';

let server: GatewayServer | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = undefined;
});

async function client(query?: string): Promise<TestClient> {
  const c = await connect(server!, query);
  clients.push(c);
  return c;
}

/** Channel 9 of guild A: hidden from everyone but user 3 (VIEW_CHANNEL denied to @everyone, allowed to user 3). */
function addHiddenChannel(dir: import('../src/Directory.js').InMemoryDirectory): void {
  dir.addChannel(GUILD_A, {
    id: `${GUILD_A}9`,
    type: 0,
    permission_overwrites: [
      { id: GUILD_A, type: 0, allow: '0', deny: String(1 << 10) },
      { id: '3', type: 1, allow: String(1 << 10), deny: '0' },
    ],
  });
}

const message = (id: string, authorId: string, extra: Record<string, unknown> = {}) => ({
  id,
  channel_id: `${GUILD_A}1`,
  guild_id: GUILD_A,
  author: { id: authorId, username: `user${authorId}` },
  content: `hello ${id}`,
  embeds: [{ title: 'e' }],
  attachments: [{ id: '9' }],
  mentions: [],
  ...extra,
});

describe('session flow', () => {
  it('sends Hello first with the configured interval and ACKs heartbeats before Identify', async () => {
    server = await startServer({ heartbeatInterval: 1234 });
    const c = await client();
    const hello = await c.next();
    expect(hello).toEqual({ op: 10, d: { heartbeat_interval: 1234 }, s: null, t: null });
    c.send({ op: 1, d: null });
    expect(await c.next((p) => p.op === 11)).toMatchObject({ op: 11, s: null, t: null });
  });

  it('answers Identify (token with or without "Bot ") with READY then one GUILD_CREATE per guild', async () => {
    server = await startServer();
    const c = await client();
    await c.next((p) => p.op === 10);
    c.send({ op: 2, d: { token: 'token-1', properties: {}, intents: ALL_NON_PRIVILEGED } });
    const ready = await c.dispatch('READY');
    expect(ready.s).toBe(1);
    expect(ready.d.v).toBe(10);
    expect(ready.d.user.id).toBe('1');
    expect(typeof ready.d.session_id).toBe('string');
    expect(ready.d.resume_gateway_url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.d.guilds.map((g: { id: string }) => g.id).sort()).toEqual([GUILD_A, GUILD_B].sort());
    expect(ready.d.guilds.every((g: { unavailable: boolean }) => g.unavailable)).toBe(true);
    const first = await c.dispatch('GUILD_CREATE');
    const second = await c.dispatch('GUILD_CREATE');
    expect([first.s, second.s]).toEqual([2, 3]);
    const a = first.d.id === GUILD_A ? first : second;
    expect(a.d.members).toHaveLength(3);
    expect(a.d.large).toBe(false);
    expect(a.d.channels).toHaveLength(2);
    expect(a.d.unavailable).toBe(false);

    const bot = await client();
    await bot.ready('2');
    expect(server.sessionCount).toBe(2);
  });

  it('marks guilds above large_threshold as large and cuts the member list', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => String(i + 1));
    server = await startServer();
    (server.directory as import('../src/Directory.js').InMemoryDirectory).addGuild(guild(GUILD_A, ids));
    const c = await client();
    await c.ready('5', { large_threshold: 50 });
    const g = await c.next((p) => p.t === 'GUILD_CREATE' && p.d.id === GUILD_A);
    expect(g.d.large).toBe(true);
    expect(g.d.member_count).toBe(60);
    expect(g.d.members.map((m: { user: { id: string } }) => m.user.id)).toEqual(['5']);
  });

  it('numbers dispatches per session and strips message content without MESSAGE_CONTENT', async () => {
    server = await startServer();
    const plain = await client();
    const privileged = await client();
    const author = await client();
    await plain.ready('1');
    await privileged.ready('2', { intents: ALL_NON_PRIVILEGED | MESSAGE_CONTENT });
    await author.ready('3');
    server.dispatchRaw('MESSAGE_CREATE', message('10', '3'), { type: 'guild', guildId: GUILD_A });
    const [p, q, r] = await Promise.all([
      plain.dispatch('MESSAGE_CREATE'),
      privileged.dispatch('MESSAGE_CREATE'),
      author.dispatch('MESSAGE_CREATE'),
    ]);
    expect(p.d).toMatchObject({ id: '10', content: '', embeds: [], attachments: [] });
    expect(q.d).toMatchObject({ content: 'hello 10', embeds: [{ title: 'e' }], attachments: [{ id: '9' }] });
    expect(r.d.content).toBe('hello 10');
    // user 1 is in two guilds (READY + 2 GUILD_CREATE), user 3 in one.
    expect(p.s).toBe(4);
    expect(r.s).toBe(3);

    server.dispatchRaw('MESSAGE_CREATE', message('11', '3', { mentions: [{ id: '1' }] }), {
      type: 'guild',
      guildId: GUILD_A,
    });
    const mentioned = await plain.dispatch('MESSAGE_CREATE');
    expect(mentioned.d.content).toBe('hello 11');
    expect(mentioned.s).toBe(5);
  });

  it('filters by intent, by channel visibility, and targets users and sessions', async () => {
    server = await startServer();
    const noMessages = await client();
    const c = await client();
    await noMessages.ready('1', { intents: 1 });
    const ready = await c.ready('2');
    const dir = server.directory as import('../src/Directory.js').InMemoryDirectory;
    addHiddenChannel(dir);
    const author = { id: '3', username: 'user3' };
    const inChannel = (id: string, channelId: string) =>
      serializeMessage({ id, channel_id: channelId, guild_id: GUILD_A, author, content: 'hi', timestamp: 0 });
    server.dispatchToChannel(GUILD_A, `${GUILD_A}9`, 'MESSAGE_CREATE', inChannel('20', `${GUILD_A}9`));
    server.dispatchToChannel(GUILD_A, `${GUILD_A}1`, 'MESSAGE_CREATE', inChannel('21', `${GUILD_A}1`));
    expect((await c.dispatch('MESSAGE_CREATE')).d.id).toBe('21');
    server.dispatchToUsers('2', 'USER_UPDATE', serializeUser({ id: '2', username: 'x' }));
    expect((await c.dispatch('USER_UPDATE')).d.username).toBe('x');
    server.dispatchToSession(ready.d.session_id, 'CUSTOM_EVENT', { ok: true });
    expect((await c.dispatch('CUSTOM_EVENT')).d).toEqual({ ok: true });
    // The intent-less session got none of the messages; its next dispatch is the custom one sent only to it.
    server.dispatchToGuild(GUILD_A, 'PING_EVENT', { n: 1 }, { intent: null });
    const next = await noMessages.next((p) => p.op === 0 && p.t !== 'GUILD_CREATE' && p.t !== 'READY');
    expect(next.t).toBe('PING_EVENT');
    expect(noMessages.received.some((p) => p.t === 'MESSAGE_CREATE' || p.t === 'USER_UPDATE')).toBe(false);
    expect(c.received.filter((p) => p.t === 'MESSAGE_CREATE')).toHaveLength(1);
  });

  it('skips the per-recipient visibility check only for channels the directory says every member sees', async () => {
    server = await startServer();
    const dir = server.directory as import('../src/Directory.js').InMemoryDirectory;
    addHiddenChannel(dir);
    const asked: string[] = [];
    const canView = dir.canView.bind(dir);
    dir.canView = (userId, guildId, channelId) => {
      asked.push(`${userId}:${channelId}`);
      return canView(userId, guildId, channelId);
    };
    let throwing = false;
    const open = `${GUILD_A}1`;
    (dir as import('../src/Directory.js').Directory).everyMemberCanView = (_guildId, channelId) => {
      if (throwing) throw new Error('directory down');
      return channelId === open;
    };
    const c = await client();
    await c.ready('2');
    const author = { id: '3', username: 'user3' };
    const inChannel = (id: string, channelId: string) =>
      serializeMessage({ id, channel_id: channelId, guild_id: GUILD_A, author, content: 'hi', timestamp: 0 });
    asked.length = 0;
    server.dispatchToChannel(GUILD_A, open, 'MESSAGE_CREATE', inChannel('30', open));
    expect((await c.dispatch('MESSAGE_CREATE')).d.id).toBe('30');
    expect(asked).toEqual([]);
    // Not open: asked per recipient, and user 2 does not see it.
    server.dispatchToChannel(GUILD_A, `${GUILD_A}9`, 'MESSAGE_CREATE', inChannel('31', `${GUILD_A}9`));
    // A throwing answer means "check each one" (the message is still decided per recipient, not dropped).
    throwing = true;
    server.dispatchToChannel(GUILD_A, open, 'MESSAGE_CREATE', inChannel('32', open));
    expect((await c.dispatch('MESSAGE_CREATE')).d.id).toBe('32');
    expect(asked).toEqual([`2:${GUILD_A}9`, `2:${open}`]);
  });

  it('delivers a hidden channel’s message to the sessions of the viewers the directory names, asking nobody else', async () => {
    server = await startServer();
    const dir = server.directory as import('../src/Directory.js').InMemoryDirectory;
    addHiddenChannel(dir);
    const hidden = `${GUILD_A}9`;
    const asked: string[] = [];
    const canView = dir.canView.bind(dir);
    dir.canView = (userId, guildId, channelId) => {
      asked.push(`${userId}:${channelId}`);
      return canView(userId, guildId, channelId);
    };
    let viewers: string[] | null | 'throw' = ['3', '1'];
    (dir as import('../src/Directory.js').Directory).channelViewers = () => {
      if (viewers === 'throw') throw new Error('directory down');
      return viewers;
    };
    const one = await client();
    const two = await client();
    const three = await client();
    const threeAgain = await client();
    await one.ready('1');
    await two.ready('2');
    await three.ready('3');
    await threeAgain.ready('3');
    const author = { id: '3', username: 'user3' };
    const inChannel = (id: string) =>
      serializeMessage({ id, channel_id: hidden, guild_id: GUILD_A, author, content: 'hi', timestamp: 0 });
    asked.length = 0;
    server.dispatchToChannel(GUILD_A, hidden, 'MESSAGE_CREATE', inChannel('40'));
    // Every session of a named viewer gets it (both of user 3's), unasked; user 2 is neither asked nor sent it.
    expect((await one.dispatch('MESSAGE_CREATE')).d.id).toBe('40');
    expect((await three.dispatch('MESSAGE_CREATE')).d.id).toBe('40');
    expect((await threeAgain.dispatch('MESSAGE_CREATE')).d.id).toBe('40');
    expect(asked).toEqual([]);
    // Null or a throwing directory: back to asking every session (the real rule: user 3 by overwrite, 1 as the owner).
    viewers = null;
    server.dispatchToChannel(GUILD_A, hidden, 'MESSAGE_CREATE', inChannel('41'));
    viewers = 'throw';
    server.dispatchToChannel(GUILD_A, hidden, 'MESSAGE_CREATE', inChannel('42'));
    expect((await three.dispatch('MESSAGE_CREATE')).d.id).toBe('41');
    expect((await three.dispatch('MESSAGE_CREATE')).d.id).toBe('42');
    expect(asked.filter((a) => a.startsWith('2:'))).toHaveLength(2);
    server.dispatchToGuild(GUILD_A, 'PING_EVENT', {}, { intent: null });
    await two.dispatch('PING_EVENT');
    expect(two.received.some((p) => p.t === 'MESSAGE_CREATE')).toBe(false);
    expect(one.received.filter((p) => p.t === 'MESSAGE_CREATE').map((p) => p.d.id)).toEqual(['40', '41', '42']);
  });

  it('broadcasts Presence Update to sessions with GUILD_PRESENCES', async () => {
    server = await startServer();
    const watcher = await client();
    const blind = await client();
    const c = await client();
    await watcher.ready('1', { intents: ALL_NON_PRIVILEGED | GUILD_PRESENCES });
    await blind.ready('3');
    await c.ready('2');
    c.send({ op: 3, d: { since: null, activities: [{ name: 'chess', type: 0 }], status: 'dnd', afk: false } });
    const update = await watcher.dispatch('PRESENCE_UPDATE');
    expect(update.d).toMatchObject({ user: { id: '2' }, status: 'dnd', activities: [{ name: 'chess', type: 0 }] });
    expect([GUILD_A, GUILD_B]).toContain(update.d.guild_id);
    server.dispatchToGuild(GUILD_A, 'PING_EVENT', {}, { intent: null });
    await blind.dispatch('PING_EVENT');
    expect(blind.received.some((p) => p.t === 'PRESENCE_UPDATE')).toBe(false);
  });
});
