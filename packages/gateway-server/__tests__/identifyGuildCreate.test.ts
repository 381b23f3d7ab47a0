import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryDirectory } from '../src/Directory.js';
import type { GatewayServer } from '../src/GatewayServer.js';
import { serializeGuildCreate } from '../src/serialize/serializeGuildCreate.js';
import type { GuildSnapshot, PresenceData } from '../src/types.js';
import {
  ALL_NON_PRIVILEGED,
  connect,
  GUILD_A,
  GUILD_PRESENCES,
  guild,
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

const online = (id: string): PresenceData => ({ user: { id }, status: 'online', activities: [] });

describe('Identify GUILD_CREATE', () => {
  it("lists a large guild's presences of the members it sends, looked up by id, not from the whole guild", async () => {
    const ids = Array.from({ length: 60 }, (_, i) => String(i + 1));
    const directory = new InMemoryDirectory();
    directory.addGuild(guild(GUILD_A, ids));
    for (const id of ['5', '7', '9']) directory.setPresence(id, online(id));
    // The snapshot's own list walks every member: Identify must not read it for a large guild.
    let snapshotPresencesRead = 0;
    const plain = directory.guild.bind(directory);
    directory.guild = (guildId: string) => {
      const snapshot = plain(guildId);
      if (!snapshot) return snapshot;
      const { presences, ...rest } = snapshot;
      return Object.defineProperty(rest, 'presences', {
        enumerable: true,
        get: () => {
          snapshotPresencesRead++;
          return presences;
        },
      }) as GuildSnapshot;
    };
    server = await startServer({ directory });
    const c = await connect(server);
    clients.push(c);
    await c.ready('5', { large_threshold: 50, intents: ALL_NON_PRIVILEGED | GUILD_PRESENCES });
    const g = await c.next((p) => p.t === 'GUILD_CREATE' && p.d.id === GUILD_A);
    expect(g.d.large).toBe(true);
    expect(g.d.members.map((m: { user: { id: string } }) => m.user.id)).toEqual(['5']);
    expect(g.d.presences.map((p: { user: { id: string } }) => p.user.id)).toEqual(['5']);
    expect(g.d.presences[0].status).toBe('online');
    expect(snapshotPresencesRead).toBe(0);
  });

  it('sends no presences without GUILD_PRESENCES, and every one of a small guild with it', async () => {
    server = await startServer();
    const directory = server.directory as InMemoryDirectory;
    for (const id of ['1', '2']) directory.setPresence(id, online(id));
    const without = await connect(server);
    const withIntent = await connect(server);
    clients.push(without, withIntent);
    await without.ready('1');
    await withIntent.ready('2', { intents: ALL_NON_PRIVILEGED | GUILD_PRESENCES });
    const a = await without.next((p) => p.t === 'GUILD_CREATE' && p.d.id === GUILD_A);
    const b = await withIntent.next((p) => p.t === 'GUILD_CREATE' && p.d.id === GUILD_A);
    expect(a.d.presences).toEqual([]);
    expect(b.d.presences.map((p: { user: { id: string } }) => p.user.id).sort()).toEqual(['1', '2']);
  });

  it('builds the guild-level part once per snapshot object and anew for a new snapshot', () => {
    const snapshot = guild(GUILD_A, ['1', '2'], { name: 'first', custom_field: 1 });
    const parts = (joinedAt: string) => ({
      members: snapshot.members,
      presences: [],
      voiceStates: [],
      memberCount: 2,
      large: false,
      joinedAt,
    });
    const one = serializeGuildCreate(snapshot, parts('2020-01-01T00:00:00.000Z'));
    const two = serializeGuildCreate(snapshot, parts('2021-01-01T00:00:00.000Z'));
    expect(one.name).toBe('first');
    expect(one.channels).toBe(two.channels);
    expect(one.roles).toBe(two.roles);
    expect((two as unknown as Record<string, unknown>).custom_field).toBe(1);
    expect([one.joined_at, two.joined_at]).toEqual([
      '2020-01-01T00:00:00.000000+00:00',
      '2021-01-01T00:00:00.000000+00:00',
    ]);
    const renamed = serializeGuildCreate({ ...snapshot, name: 'second' }, parts('2020-01-01T00:00:00.000Z'));
    expect(renamed.name).toBe('second');
  });
});
