import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { REST } from '@discordjs/rest';
import { CompressionMethod, WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayServer } from '../src/GatewayServer.js';
import { defaultDirectory, GUILD_A, GUILD_B, user } from './helpers.js';

interface Dispatch {
  t: string;
  s: number;
  d: Record<string, unknown>;
}

let manager: WebSocketManager | undefined;
let gateway: GatewayServer | undefined;
let http: Server | undefined;

afterEach(async () => {
  await manager?.destroy();
  await gateway?.close();
  await new Promise((r) => (http ? http.close(r) : r(undefined)));
  http?.closeAllConnections();
  manager = undefined;
  gateway = undefined;
  http = undefined;
});

function waitFor<T>(check: () => T | undefined, timeoutMs = 8000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      const value = check();
      if (value !== undefined) {
        clearInterval(timer);
        resolve(value);
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(timer);
        reject(new Error('timed out'));
      }
    }, 10);
  });
}

describe('@discordjs/ws compatibility', () => {
  it.each([
    ['zlib-stream', CompressionMethod.ZlibNative],
    ['no compression', null],
  ] as const)(
    'identifies, receives READY/GUILD_CREATE/MESSAGE_CREATE (%s), then resumes after its socket is cut',
    async (_name, compression) => {
      // Attach mode: our own HTTP server, whose sockets we can cut from the server side.
      http = createServer();
      const sockets = new Set<Socket>();
      http.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((r) => http!.listen(0, '127.0.0.1', r));
      gateway = await new GatewayServer({
        server: http,
        directory: defaultDirectory(),
        identifyIntervalMs: 0,
        authenticate: (token) => (token === 'secret-1' ? { user: user('1') } : null),
      }).listen();
      const { port } = gateway.address();
      const url = `ws://127.0.0.1:${port}`;

      const rest = {
        get: async () => ({
          url,
          shards: 1,
          session_start_limit: { ...gateway!.getSessionStartLimit('1') },
        }),
      } as unknown as REST;
      manager = new WebSocketManager({
        token: 'secret-1',
        intents: (1 << 0) | (1 << 9) | (1 << 15),
        rest,
        compression,
      });
      const dispatches: Dispatch[] = [];
      let resumed = 0;
      manager.on(WebSocketShardEvents.Dispatch, (payload) => dispatches.push(payload as unknown as Dispatch));
      manager.on(WebSocketShardEvents.Resumed, () => resumed++);
      await manager.connect();

      const ready = await waitFor(() => dispatches.find((d) => d.t === 'READY'));
      expect(ready.s).toBe(1);
      expect((ready.d.user as { id: string }).id).toBe('1');
      await waitFor(() => (dispatches.filter((d) => d.t === 'GUILD_CREATE').length === 2 ? true : undefined));
      expect(
        dispatches
          .filter((d) => d.t === 'GUILD_CREATE')
          .map((d) => d.d.id)
          .sort(),
      ).toEqual([GUILD_A, GUILD_B].sort());

      const message = (id: string) => ({
        id,
        channel_id: `${GUILD_A}1`,
        guild_id: GUILD_A,
        author: user('2'),
        content: `content ${id}`,
        mentions: [],
        embeds: [],
        attachments: [],
      });
      gateway.dispatchRaw('MESSAGE_CREATE', message('100'), { type: 'guild', guildId: GUILD_A });
      const first = await waitFor(() => dispatches.find((d) => d.t === 'MESSAGE_CREATE'));
      expect(first.d.content).toBe('content 100');
      expect(first.s).toBe(4);
      expect(gateway.getSessionStartLimit('1').remaining).toBe(999);

      // Cut the TCP connection from the server side, then dispatch while the client is away.
      for (const socket of sockets) socket.destroy();
      await waitFor(() => (gateway!.connectionCount === 0 ? true : undefined));
      gateway.dispatchRaw('MESSAGE_CREATE', message('101'), { type: 'guild', guildId: GUILD_A });
      gateway.dispatchRaw('MESSAGE_CREATE', message('102'), { type: 'guild', guildId: GUILD_A });

      await waitFor(() => (resumed > 0 ? true : undefined), 15_000);
      const messages = await waitFor(() => {
        const m = dispatches.filter((d) => d.t === 'MESSAGE_CREATE');
        return m.length === 3 ? m : undefined;
      });
      expect(messages.map((m) => [m.s, m.d.id])).toEqual([
        [4, '100'],
        [5, '101'],
        [6, '102'],
      ]);
      // A resume, not a new session: no second READY and no new session start.
      expect(dispatches.filter((d) => d.t === 'READY')).toHaveLength(1);
      expect(gateway.getSessionStartLimit('1').remaining).toBe(999);
      gateway.dispatchRaw('MESSAGE_CREATE', message('103'), { type: 'guild', guildId: GUILD_A });
      const after = await waitFor(() => dispatches.find((d) => d.t === 'MESSAGE_CREATE' && d.d.id === '103'));
      expect(after.s).toBe(8);
    },
    30_000,
  );
});
