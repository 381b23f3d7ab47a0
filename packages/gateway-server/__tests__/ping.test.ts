import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../src/GatewayServer.js';
import { connect, startServer, type TestClient } from './helpers.js';

let server: GatewayServer | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = undefined;
});

describe('WebSocket pings', () => {
  it('are answered with a pong carrying their data, before and after Identify', async () => {
    server = await startServer();
    const c = await connect(server);
    clients.push(c);
    await c.opened;
    const pong = (data: string) =>
      new Promise<string>((resolve) => {
        c.ws.once('pong', (got: Buffer) => resolve(got.toString()));
        c.ws.ping(data);
      });
    expect(await pong('before')).toBe('before');
    c.identify('1');
    await c.dispatch('READY');
    expect(await pong('after')).toBe('after');
  });
});
