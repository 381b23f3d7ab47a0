import { createServer, type Server } from 'node:http';
import { Client, GatewayIntentBits, type Message } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createGatewayServer, type GatewayServer } from '../src/GatewayServer.js';
import { defaultDirectory, GUILD_A, GUILD_B, user } from './helpers.js';

let client: Client | undefined;
let gateway: GatewayServer | undefined;
let rest: Server | undefined;

afterEach(async () => {
  await client?.destroy();
  await gateway?.close();
  rest?.closeAllConnections();
  await new Promise((r) => (rest ? rest.close(r) : r(undefined)));
  client = undefined;
  gateway = undefined;
  rest = undefined;
});

describe('discord.js compatibility', () => {
  it('logs in, caches the guilds, and emits messageCreate', async () => {
    gateway = await createGatewayServer({
      port: 0,
      host: '127.0.0.1',
      directory: defaultDirectory(),
      identifyIntervalMs: 0,
      authenticate: (token) => (token === 'djs-token' ? { user: user('1') } : null),
    });
    // The REST subset discord.js needs before it opens the gateway: GET /gateway/bot.
    rest = createServer((req, res) => {
      if (req.url?.endsWith('/gateway/bot')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ url: gateway!.url, shards: 1, session_start_limit: gateway!.getSessionStartLimit('1') }),
        );
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"404: Not Found","code":0}');
      }
    });
    await new Promise<void>((r) => rest!.listen(0, '127.0.0.1', r));
    const { port } = rest.address() as { port: number };
    client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
      rest: { api: `http://127.0.0.1:${port}/api` },
    });
    const ready = new Promise<void>((r) => client!.once('clientReady' as 'ready', () => r()));
    await client.login('djs-token');
    await ready;
    expect(client.user?.id).toBe('1');
    expect([...client.guilds.cache.keys()].sort()).toEqual([GUILD_A, GUILD_B].sort());
    expect(client.guilds.cache.get(GUILD_A)?.channels.cache.size).toBe(2);

    const received = new Promise<Message>((r) => client!.once('messageCreate', r));
    gateway.dispatchRaw(
      'MESSAGE_CREATE',
      {
        id: '1300000000000000000',
        type: 0,
        channel_id: `${GUILD_A}1`,
        guild_id: GUILD_A,
        author: user('2'),
        content: 'hello discord.js',
        timestamp: new Date().toISOString(),
        edited_timestamp: null,
        tts: false,
        mention_everyone: false,
        mentions: [],
        mention_roles: [],
        attachments: [],
        embeds: [],
        pinned: false,
      },
      { type: 'channel', guildId: GUILD_A, channelId: `${GUILD_A}1` },
    );
    const message = await received;
    expect(message.content).toBe('hello discord.js');
    expect(message.guildId).toBe(GUILD_A);
  }, 20_000);
});
