// Issue #13 causes 2–6 on the assembled server: what discord.py, JDA and strict Rust clients read unconditionally is
// there, over the gateway and over REST, in Discord's formats.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawGateway } from './rawGateway.js';
import { type RunningServer, startServer } from './startServer.js';

// biome-ignore lint/suspicious/noExplicitAny: wire JSON, checked field by field by the assertions.
type Json = any;

const LOBBY = '1200000000000000000';
const GENERAL = '1200000000000000001';
const DISCORD_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;

describe('wire fidelity (gateway + REST)', () => {
  let server: RunningServer;
  const gateways: RawGateway[] = [];
  const call = async (token: string, method: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(`${server.api}${path}`, {
      method,
      headers: { Authorization: token, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    for (const g of gateways) g.close();
    await server?.stop();
  });

  async function login(token: string) {
    const gw = await RawGateway.identify(server.port, token);
    gateways.push(gw);
    return { gw, ready: (await gw.waitFor('READY')).d as Json, guild: (await gw.waitFor('GUILD_CREATE')).d as Json };
  }

  it('READY user has mfa_enabled, verified, flags and the other current-user fields (cause 6)', async () => {
    const { ready } = await login('Bot fidelity-a');
    expect(ready.user).toMatchObject({
      username: 'fidelity-a',
      mfa_enabled: false,
      verified: true,
      flags: 0,
      public_flags: 0,
      locale: 'en-US',
      premium_type: 0,
      email: null,
    });
    expect(await call('Bot fidelity-a', 'GET', '/users/@me')).toMatchObject({ mfa_enabled: false, verified: true });
  });

  it('GUILD_CREATE has the guild scalar fields, member flags, role colors, Discord timestamps (causes 2–5)', async () => {
    const { guild } = await login('Bot fidelity-b');
    expect(guild).toMatchObject({
      id: LOBBY,
      afk_timeout: 300,
      afk_channel_id: null,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      preferred_locale: 'en-US',
      premium_progress_bar_enabled: false,
      premium_tier: 0,
      system_channel_flags: 0,
      verification_level: 0,
      features: [],
      unavailable: false,
      large: false,
      threads: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    });
    expect(guild.joined_at).toMatch(DISCORD_TIMESTAMP);
    for (const m of guild.members) {
      expect(m).toMatchObject({ flags: 0, pending: false, communication_disabled_until: null, avatar: null });
      expect(m.joined_at).toMatch(DISCORD_TIMESTAMP);
    }
    expect(guild.roles[0].colors).toEqual({ primary_color: 0, secondary_color: null, tertiary_color: null });
    // REST shows the same guild.
    const rest = await call('Bot fidelity-b', 'GET', `/guilds/${LOBBY}`);
    expect(rest.roles[0].colors).toEqual(guild.roles[0].colors);
    expect(rest.afk_timeout).toBe(300);
  });

  it('MESSAGE_CREATE carries member.flags and Discord timestamps; REST messages match (causes 2, 5)', async () => {
    const { gw } = await login('Bot fidelity-c');
    const sent = await call('Bot fidelity-c', 'POST', `/channels/${GENERAL}/messages`, { content: 'fidelity' });
    expect(sent.timestamp).toMatch(DISCORD_TIMESTAMP);
    expect(sent).toMatchObject({
      edited_timestamp: null,
      tts: false,
      pinned: false,
      type: 0,
      flags: 0,
      components: [],
    });
    const created = (await gw.waitFor('MESSAGE_CREATE', (d) => d.id === sent.id)).d as Json;
    expect(created.member).toMatchObject({ flags: 0, pending: false, roles: [], deaf: false, mute: false });
    expect(created.member.joined_at).toMatch(DISCORD_TIMESTAMP);
    expect(created.member.user).toBeUndefined();
    const edited = await call('Bot fidelity-c', 'PATCH', `/channels/${GENERAL}/messages/${sent.id}`, {
      content: 'fidelity, edited',
    });
    expect(edited.edited_timestamp).toMatch(DISCORD_TIMESTAMP);
    const updated = (await gw.waitFor('MESSAGE_UPDATE', (d) => d.id === sent.id)).d as Json;
    expect(updated.member).toMatchObject({ flags: 0 });
    const [member] = await call('Bot fidelity-c', 'GET', `/guilds/${LOBBY}/members?limit=1000`).then((all: Json[]) =>
      all.filter((m) => m.user.id === sent.author.id),
    );
    expect(member).toMatchObject({ flags: 0, communication_disabled_until: null, banner: null });
    expect(member.joined_at).toMatch(DISCORD_TIMESTAMP);
  });
});
