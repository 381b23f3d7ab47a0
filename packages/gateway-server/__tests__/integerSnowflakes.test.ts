// Issue #13 cause 7: clients may send snowflakes as integers — discord.py writes them as JSON numbers (op 4, op 8,
// activity ids), ETF and MessagePack clients as integers — and ids beyond 2^53 must arrive exact. Garbage is still 4002.
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryDirectory } from '../src/Directory.js';
import type { GatewayServer } from '../src/GatewayServer.js';
import {
  ALL_NON_PRIVILEGED,
  connect,
  GUILD_MEMBERS,
  GUILD_PRESENCES,
  guild,
  startServer,
  type TestClient,
} from './helpers.js';

// Beyond 2^53: JSON.parse would round it to 1200000000000000000.
const BIG_GUILD = '1200000000000000001';
const BIG_USER = '1200000000000000005';

let server: GatewayServer | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = undefined;
});

async function client(query: string): Promise<TestClient> {
  const directory = new InMemoryDirectory();
  directory.addGuild(guild(BIG_GUILD, ['1', '2', BIG_USER]));
  server = await startServer({ directory });
  const c = await connect(server, query);
  clients.push(c);
  await c.ready('1', { intents: ALL_NON_PRIVILEGED | GUILD_MEMBERS | GUILD_PRESENCES });
  await c.dispatch('GUILD_CREATE');
  return c;
}

/** JSON text with the given ids as bare integer literals, as Python's json.dumps writes ints. */
function withIntegers(payload: unknown): string {
  return JSON.stringify(payload).replace(/"(\d{1,20})n"/g, '$1');
}
const int = (id: string) => `${id}n`;

describe('integer snowflakes from clients', () => {
  it('JSON: op 4 and op 8 with integer ids beyond 2^53 (as discord.py sends them)', async () => {
    const c = await client('v=10&encoding=json');
    c.sendRaw(
      withIntegers({
        op: 4,
        d: { guild_id: int(BIG_GUILD), channel_id: int(`${BIG_GUILD}2`), self_mute: false, self_deaf: false },
      }),
    );
    const voice = await c.dispatch('VOICE_STATE_UPDATE');
    expect(voice.d).toMatchObject({ guild_id: BIG_GUILD, channel_id: `${BIG_GUILD}2`, user_id: '1' });
    c.sendRaw(withIntegers({ op: 8, d: { guild_id: int(BIG_GUILD), user_ids: [int(BIG_USER), 2], limit: 0 } }));
    const chunk = await c.dispatch('GUILD_MEMBERS_CHUNK');
    expect(chunk.d.guild_id).toBe(BIG_GUILD);
    expect(chunk.d.members.map((m: { user: { id: string } }) => m.user.id).sort()).toEqual([BIG_USER, '2']);
    c.sendRaw(withIntegers({ op: 31, d: { guild_ids: [int(BIG_GUILD)] } }));
    expect((await c.dispatch('SOUNDBOARD_SOUNDS')).d.guild_id).toBe(BIG_GUILD);
    c.sendRaw(withIntegers({ op: 14, d: { guild_id: int(BIG_GUILD), channels: { [`${BIG_GUILD}1`]: [[0, 99]] } } }));
    expect((await c.dispatch('GUILD_MEMBER_LIST_UPDATE')).d.guild_id).toBe(BIG_GUILD);
  });

  it('JSON: an activity with integer application_id and emoji id (discord.py custom activity)', async () => {
    const c = await client('v=10&encoding=json');
    c.sendRaw(
      withIntegers({
        op: 3,
        d: {
          since: null,
          afk: false,
          status: 'online',
          activities: [
            { type: 0, name: 'game', application_id: int('1200000000000000007') },
            { type: 4, name: 'Custom Status', state: 'hi', emoji: { name: 'x', id: int('1200000000000000009') } },
          ],
        },
      }),
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(c.ws.readyState).toBe(c.ws.OPEN);
  });

  for (const encoding of ['etf', 'msgpack']) {
    it(`${encoding}: op 4 and op 8 with integer ids (small ints and 64-bit bigs)`, async () => {
      const c = await client(`v=10&encoding=${encoding}`);
      c.send({
        op: 4,
        d: { guild_id: BigInt(BIG_GUILD), channel_id: BigInt(`${BIG_GUILD}2`), self_mute: false, self_deaf: false },
      });
      const voice = await c.dispatch('VOICE_STATE_UPDATE');
      expect(voice.d).toMatchObject({ guild_id: BIG_GUILD, channel_id: `${BIG_GUILD}2` });
      c.send({ op: 8, d: { guild_id: BigInt(BIG_GUILD), user_ids: [BigInt(BIG_USER), 2], limit: 0 } });
      const chunk = await c.dispatch('GUILD_MEMBERS_CHUNK');
      expect(chunk.d.members.map((m: { user: { id: string } }) => m.user.id).sort()).toEqual([BIG_USER, '2']);
    });
  }

  for (const guildId of ['1.5', '-1', 'true', '"abc"', '1e30', '{}', '"-5"', '123456789012345678901234']) {
    it(`still closes 4002 for guild_id ${guildId}`, async () => {
      const c = await client('v=10&encoding=json');
      c.sendRaw(`{"op":4,"d":{"guild_id":${guildId},"channel_id":null,"self_mute":false,"self_deaf":false}}`);
      expect((await c.closed).code).toBe(4002);
    });
  }
});
