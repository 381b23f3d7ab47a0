// The upgrade handler parses each distinct connect URL once and sends a Hello encoded once per encoding
// (transport/UpgradeHandler.ts): the answers must not depend on what earlier connections asked for.
import { request } from 'node:http';
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

async function open(query: string): Promise<TestClient> {
  const c = await connect(server!, query);
  clients.push(c);
  return c;
}

function upgradeStatus(query: string): Promise<number> {
  const { port } = server!.address();
  return new Promise<number>((resolve, reject) => {
    const req = request({
      port,
      host: '127.0.0.1',
      path: `/?${query}`,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    });
    req.on('response', (res) => resolve(res.statusCode ?? 0));
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('connect URLs seen before', () => {
  it('answer as the first time: encoding, version, refusals', async () => {
    server = await startServer({ heartbeatInterval: 12_345 });
    for (let round = 0; round < 2; round++) {
      for (const [query, v] of [
        ['v=10&encoding=json', 10],
        ['v=9&encoding=etf', 9],
        ['v=10&encoding=json', 10],
      ] as const) {
        const hello = await (await open(query)).next((p) => p.op === 10);
        expect(hello.d).toEqual({ heartbeat_interval: 12_345 });
        expect((await (await open(query)).ready('1')).d.v).toBe(v);
      }
      // A missing or unsupported version: opened, then closed with 4012, every time.
      expect((await (await open('v=8&encoding=json')).closed).code).toBe(4012);
      // Refused at the upgrade, every time (refusals are not kept).
      expect(await upgradeStatus('v=10&encoding=xml')).toBe(400);
    }
  });

  it('still answers once more distinct URLs came than the memo keeps', async () => {
    server = await startServer();
    for (let i = 0; i < 40; i++) expect(await upgradeStatus(`v=10&encoding=json&n=${i}`)).toBe(101);
    const c = await open('v=10&encoding=json&n=0');
    expect((await c.ready('1')).d.v).toBe(10);
  });
});
