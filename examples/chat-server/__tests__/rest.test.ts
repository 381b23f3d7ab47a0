import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawGateway } from './rawGateway.js';
import { type RunningServer, startServer } from './startServer.js';

// biome-ignore lint/suspicious/noExplicitAny: wire JSON, checked field by field by the assertions.
type Json = any;

const LOBBY = '1200000000000000000';
const GENERAL = '1200000000000000001';
const VOICE = '1200000000000000002';

describe('REST and gateway (raw ws + fetch)', () => {
  let server: RunningServer;
  const call = (token: string | null, method: string, path: string, body?: unknown) =>
    fetch(`${server.api}${path}`, {
      method,
      headers: {
        ...(token ? { Authorization: token } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const post = async (token: string, content: string, extra: Record<string, unknown> = {}) => {
    const res = await call(token, 'POST', `/channels/${GENERAL}/messages`, { content, ...extra });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, Json>;
  };

  beforeAll(async () => {
    // The tests log in 20-odd users from 127.0.0.1 within a minute (dev auth allows 10 new ones by default).
    server = await startServer({ DEV_AUTH_NEW_USERS_PER_MINUTE: '100' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('logs a ready line with the URL and labels dev auth', () => {
    expect(server.output()).toMatch(new RegExp(`ready on http://127\\.0\\.0\\.1:${server.port} \\(\\d+ ms\\)`));
    expect(server.output()).toContain('DEV AUTH');
  });

  it('serves the page and answers /gateway and /gateway/bot without a query string', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/app.js');
    const js = await fetch(`${server.url}/app.js`);
    expect(js.status).toBe(200);
    expect((await js.text()).length).toBeGreaterThan(1000);
    expect(await (await call(null, 'GET', '/gateway')).json()).toEqual({ url: `ws://127.0.0.1:${server.port}/` });
    const bot = (await (
      await fetch(`${server.url}/api/gateway/bot`, { headers: { Authorization: 'Bot b1' } })
    ).json()) as Json;
    expect(bot.url).toBe(`ws://127.0.0.1:${server.port}/`);
    expect(bot.shards).toBe(1);
    expect(bot.session_start_limit).toMatchObject({ total: 1000, max_concurrency: 1 });
  });

  it('identifies with any token (same id for the same token), READY then GUILD_CREATE with the Lobby', async () => {
    const a = await RawGateway.identify(server.port, 'Bot alice');
    const ready = await a.waitFor('READY');
    expect(ready.d.user.username).toBe('alice');
    const guild = (await a.waitFor('GUILD_CREATE')).d;
    expect(guild.id).toBe(LOBBY);
    expect(guild.name).toBe('Lobby');
    // Discord's "Create My Own" layout: #general under "Text Channels", General under "Voice Channels".
    expect(guild.channels.map((c: Json) => [c.name, c.type])).toEqual([
      ['Text Channels', 4],
      ['Voice Channels', 4],
      ['general', 0],
      ['General', 2],
    ]);
    expect(guild.members.some((m: Json) => m.user.id === ready.d.user.id)).toBe(true);
    const me = (await (await call('alice', 'GET', '/users/@me')).json()) as Json;
    expect(me.id).toBe(ready.d.user.id);
    // A new user joining shows up live for those already connected.
    const b = await RawGateway.identify(server.port, 'newcomer');
    const added = await a.waitFor('GUILD_MEMBER_ADD', (d) => d.user.username === 'newcomer');
    expect(added.d.guild_id).toBe(LOBBY);
    await a.waitFor('PRESENCE_UPDATE', (d) => d.user.id === added.d.user.id && d.status === 'online');
    b.close();
    await a.waitFor('PRESENCE_UPDATE', (d) => d.user.id === added.d.user.id && d.status === 'offline');
    a.close();
  });

  it('POST a message → Discord-shaped reply and MESSAGE_CREATE; replies carry message_reference', async () => {
    const watcher = await RawGateway.identify(server.port, 'watcher');
    const watcherId = (await watcher.waitFor('READY')).d.user.id;
    const m = await post('poster', `hello <@${watcherId}>`, { nonce: 'n-1' });
    expect(m).toMatchObject({
      channel_id: GENERAL,
      guild_id: LOBBY,
      content: expect.stringContaining('hello'),
      author: { username: 'poster', discriminator: '0', global_name: 'poster', avatar: null, bot: false },
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: 0,
      nonce: 'n-1',
    });
    expect(m.mentions.map((u: Json) => u.username)).toEqual(['watcher']);
    // The timestamp is the snowflake's.
    const fromId = Number((BigInt(m.id) >> 22n) + 1420070400000n);
    expect(Date.parse(m.timestamp)).toBe(fromId);
    const created = await watcher.waitFor('MESSAGE_CREATE', (d) => d.id === m.id);
    expect(created.d.content).toBe(m.content);
    expect(created.d.member.roles).toEqual([]);

    const reply = await post('watcher', 'reply!', { message_reference: { message_id: m.id } });
    expect(reply.type).toBe(19);
    expect(reply.message_reference).toMatchObject({ message_id: m.id, channel_id: GENERAL, guild_id: LOBBY });
    expect(reply.referenced_message.id).toBe(m.id);
    expect(reply.mentions.map((u: Json) => u.username)).toEqual(['poster']);
    watcher.close();
  });

  it('paginates history with before / after / around / limit', async () => {
    const channelMessages = async (query: string) =>
      ((await (await call('reader', 'GET', `/channels/${GENERAL}/messages?${query}`)).json()) as Json[]).map(
        (m) => m.content,
      );
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await post(`pager-${Math.floor(i / 5)}`, `page ${i}`)).id);
    expect(await channelMessages('limit=3')).toEqual(['page 19', 'page 18', 'page 17']);
    expect(await channelMessages(`limit=3&before=${ids[10]}`)).toEqual(['page 9', 'page 8', 'page 7']);
    expect(await channelMessages(`limit=3&after=${ids[10]}`)).toEqual(['page 13', 'page 12', 'page 11']);
    expect(await channelMessages(`limit=3&around=${ids[10]}`)).toEqual(['page 11', 'page 10', 'page 9']);
    // Walking back page by page reaches every message once.
    const seen: string[] = [];
    let before = '';
    for (;;) {
      const page = (await (
        await call('reader', 'GET', `/channels/${GENERAL}/messages?limit=7${before ? `&before=${before}` : ''}`)
      ).json()) as Json[];
      if (page.length === 0) break;
      seen.push(...page.map((m) => m.id));
      before = page[page.length - 1].id;
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen).toContain(id);
  });

  it('edits and deletes own messages (MESSAGE_UPDATE / MESSAGE_DELETE), not others’', async () => {
    const gw = await RawGateway.identify(server.port, 'editor-watch');
    const m = await post('editor', 'first draft');
    const edited = await call('editor', 'PATCH', `/channels/${GENERAL}/messages/${m.id}`, { content: 'final' });
    expect(edited.status).toBe(200);
    const body = (await edited.json()) as Json;
    expect(body.content).toBe('final');
    expect(body.edited_timestamp).not.toBeNull();
    await gw.waitFor('MESSAGE_UPDATE', (d) => d.id === m.id && d.content === 'final');

    const notMine = await call('intruder', 'PATCH', `/channels/${GENERAL}/messages/${m.id}`, { content: 'x' });
    expect(notMine.status).toBe(403);
    expect(((await notMine.json()) as Json).code).toBe(50005);
    const notMineDelete = await call('intruder', 'DELETE', `/channels/${GENERAL}/messages/${m.id}`);
    expect(notMineDelete.status).toBe(403);
    expect(((await notMineDelete.json()) as Json).code).toBe(50013);

    const del = await call('editor', 'DELETE', `/channels/${GENERAL}/messages/${m.id}`);
    expect(del.status).toBe(204);
    await gw.waitFor('MESSAGE_DELETE', (d) => d.id === m.id && d.channel_id === GENERAL && d.guild_id === LOBBY);
    const gone = await call('editor', 'GET', `/channels/${GENERAL}/messages/${m.id}`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ code: 10008, message: 'Unknown Message' });
    gw.close();
  });

  it('POST /typing dispatches TYPING_START', async () => {
    const gw = await RawGateway.identify(server.port, 'typing-watch');
    const res = await call('typist', 'POST', `/channels/${GENERAL}/typing`);
    expect(res.status).toBe(204);
    const t = await gw.waitFor('TYPING_START', (d) => d.member?.user?.username === 'typist');
    expect(t.d).toMatchObject({ channel_id: GENERAL, guild_id: LOBBY });
    expect(typeof t.d.timestamp).toBe('number');
    gw.close();
  });

  it('answers errors with Discord’s status codes and bodies', async () => {
    const noToken = await call(null, 'GET', '/users/@me');
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toEqual({ code: 0, message: '401: Unauthorized' });
    const unknownChannel = await call('err', 'GET', '/channels/123/messages');
    expect(unknownChannel.status).toBe(404);
    expect(((await unknownChannel.json()) as Json).code).toBe(10003);
    expect(((await (await call('err', 'GET', '/guilds/123')).json()) as Json).code).toBe(10004);
    const tooLong = await call('err', 'POST', `/channels/${GENERAL}/messages`, { content: 'x'.repeat(2001) });
    expect(tooLong.status).toBe(400);
    const tooLongBody = (await tooLong.json()) as Json;
    expect(tooLongBody.code).toBe(50035);
    expect(tooLongBody.errors.content._errors[0].code).toBe('BASE_TYPE_MAX_LENGTH');
    const empty = await call('err', 'POST', `/channels/${GENERAL}/messages`, { content: '' });
    expect(((await empty.json()) as Json).code).toBe(50006);
    const badLimit = await call('err', 'GET', `/channels/${GENERAL}/messages?limit=500`);
    expect(((await badLimit.json()) as Json).code).toBe(50035);
    const badJson = await call('err', 'POST', `/channels/${GENERAL}/messages`, '{nope');
    expect(badJson.status).toBe(400);
    // Voice channels have a text chat, as on Discord (text-in-voice).
    const voice = await call('err', 'POST', `/channels/${VOICE}/messages`, { content: 'hi' });
    expect(((await voice.json()) as Json).channel_id).toBe(VOICE);
    const badReply = await call('err', 'POST', `/channels/${GENERAL}/messages`, {
      content: 'hi',
      message_reference: { message_id: '42' },
    });
    expect(((await badReply.json()) as Json).code).toBe(50035);
    expect((await call('err', 'GET', '/nowhere')).status).toBe(404);
    expect((await call('err', 'PUT', `/channels/${GENERAL}/messages`)).status).toBe(405);
  });

  it('rate-limits per route with X-RateLimit-* headers and a 429 body', async () => {
    const results: Response[] = [];
    for (let i = 0; i < 6; i++) {
      results.push(await call('spammer', 'POST', `/channels/${GENERAL}/messages`, { content: `spam ${i}` }));
    }
    expect(results.slice(0, 5).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const first = results[0]!;
    expect(first.headers.get('x-ratelimit-limit')).toBe('5');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(Number(first.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(0);
    expect(Number(first.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000 - 1);
    expect(first.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{16}$/);
    const limited = results[5]!;
    expect(limited.status).toBe(429);
    const body = (await limited.json()) as Json;
    expect(body.message).toBe('You are being rate limited.');
    expect(body.global).toBe(false);
    expect(body.retry_after).toBeGreaterThan(0);
    expect(body.retry_after).toBeLessThanOrEqual(5);
    expect(limited.headers.get('retry-after')).not.toBeNull();
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    // Another user is not affected.
    await post('calm', 'not limited');
  });

  it('op 4 into the voice channel → VOICE_SERVER_UPDATE (host:port, no scheme) that a voice client can join', async () => {
    const gw = await RawGateway.identify(server.port, 'speaker');
    const ready = (await gw.waitFor('READY')).d;
    gw.ws.send(
      JSON.stringify({ op: 4, d: { guild_id: LOBBY, channel_id: VOICE, self_mute: false, self_deaf: false } }),
    );
    const state = await gw.waitFor('VOICE_STATE_UPDATE', (d) => d.user_id === ready.user.id);
    expect(state.d.channel_id).toBe(VOICE);
    const vsu = (await gw.waitFor('VOICE_SERVER_UPDATE')).d;
    expect(vsu.guild_id).toBe(LOBBY);
    expect(vsu.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
    const { VoiceClient } = await import('@concord/voice');
    const client = new VoiceClient({
      endpoint: vsu.endpoint,
      token: vsu.token,
      userId: ready.user.id,
      sessionId: state.d.session_id,
      guildId: LOBBY,
    });
    await client.connect();
    client.disconnect();
    gw.close();
  });

  it('lists channels and members of the guild', async () => {
    const channels = (await (await call('lister', 'GET', `/guilds/${LOBBY}/channels`)).json()) as Json[];
    expect(channels.map((c) => c.name)).toEqual(['Text Channels', 'Voice Channels', 'general', 'General']);
    const members = (await (await call('lister', 'GET', `/guilds/${LOBBY}/members?limit=1000`)).json()) as Json[];
    expect(members.some((m) => m.user.username === 'lister')).toBe(true);
    const channel = (await (await call('lister', 'GET', `/channels/${GENERAL}`)).json()) as Json;
    expect(channel).toMatchObject({ id: GENERAL, guild_id: LOBBY, type: 0, name: 'general' });
  });
});
