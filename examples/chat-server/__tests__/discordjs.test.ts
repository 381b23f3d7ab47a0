import { Client, Events, GatewayIntentBits, type Message } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawGateway } from './rawGateway.js';
import { type RunningServer, startServer } from './startServer.js';

const GENERAL = '1200000000000000001';

describe('discord.js against the chat server', () => {
  let server: RunningServer;
  let client: Client;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await client?.destroy();
    await server?.stop();
  });

  it('logs in, sees the Lobby, receives a message posted by someone else and replies', async () => {
    client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
      // The only change from a bot on Discord: where the API is. The gateway URL comes from GET /gateway/bot.
      rest: { api: `http://127.0.0.1:${server.port}/api` },
    });
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    const token = await client.login('pong-bot');
    expect(token).toBe('pong-bot');
    await ready;
    expect(client.user?.username).toBe('pong-bot');
    expect(client.user?.bot).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const guild = client.guilds.cache.first();
    expect(guild?.name).toBe('Lobby');
    expect(guild?.channels.cache.get(GENERAL)?.name).toBe('general');

    const received = new Promise<Message>((resolve) =>
      client.on(Events.MessageCreate, (m) => {
        if (m.content === 'ping') resolve(m);
      }),
    );
    const human = await RawGateway.identify(server.port, 'linus');
    const posted = await fetch(`${server.api}/channels/${GENERAL}/messages`, {
      method: 'POST',
      headers: { Authorization: 'linus', 'Content-Type': 'application/json' },
      body: JSON.stringify({ content: 'ping' }),
    });
    expect(posted.status).toBe(200);
    const ping = await received;
    expect(ping.author.username).toBe('linus');
    expect(ping.channelId).toBe(GENERAL);

    const reply = await ping.reply('pong');
    expect(reply.content).toBe('pong');
    expect(reply.reference?.messageId).toBe(ping.id);
    expect(reply.author.id).toBe(client.user?.id);

    // The reply reached the other user over the gateway, with its reference, and was stored.
    const seen = await human.waitFor('MESSAGE_CREATE', (d) => d.content === 'pong');
    expect(seen.d.type).toBe(19);
    expect(seen.d.message_reference.message_id).toBe(ping.id);
    expect(seen.d.referenced_message.content).toBe('ping');
    const history = (await (
      await fetch(`${server.api}/channels/${GENERAL}/messages?limit=2`, { headers: { Authorization: 'linus' } })
    ).json()) as { id: string; content: string }[];
    expect(history.map((m) => m.content)).toEqual(['pong', 'ping']);

    // Fetching history through discord.js works too.
    const general = guild?.channels.cache.get(GENERAL) as import('discord.js').TextChannel;
    const fetched = await general.messages.fetch({
      limit: 10,
    });
    expect([...fetched.values()].map((m) => m.content)).toEqual(['pong', 'ping']);
    human.close();
  });
});
