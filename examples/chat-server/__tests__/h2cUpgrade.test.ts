// Issue #13 cause 10: the JDK's HttpClient asks every first request to upgrade to h2c (`Connection: Upgrade,
// HTTP2-Settings`, `Upgrade: h2c`); a server that does not speak h2c answers in HTTP/1.1 as if the header were absent.

import { openStorage } from '@concord/storage-adapters/open';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatServer, createChatServer } from '../src/createChatServer.js';
import { rawRequest, requestHead } from './rawHttp.js';

const GENERAL = '1200000000000000001';
const H2C = { Connection: 'Upgrade, HTTP2-Settings', Upgrade: 'h2c', 'HTTP2-Settings': 'AAMAAABkAARAAAAAAAIAAAAA' };

describe('REST with an h2c upgrade request', () => {
  let server: ChatServer;
  let port: number;
  beforeAll(async () => {
    server = await createChatServer({ storage: await openStorage(':memory:'), port: 0 });
    port = Number(new URL(server.url).port);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('GET /api/v10/gateway is answered 200 in HTTP/1.1', async () => {
    const head = requestHead('GET', '/api/v10/gateway', H2C).replace('Connection: keep-alive\r\n', '');
    const res = await rawRequest(port, head, () => undefined);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ url: expect.stringMatching(/^ws:\/\//) });
  });

  it('POST with a JSON body is answered 200 (the body is read past the upgrade header)', async () => {
    const body = JSON.stringify({ content: 'over h2c-upgrade' });
    const head = requestHead('POST', `/api/v10/channels/${GENERAL}/messages`, {
      ...H2C,
      Authorization: 'h2c-user',
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
    }).replace('Connection: keep-alive\r\n', '');
    const res = await rawRequest(port, head, (socket) => {
      socket.write(body);
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ content: 'over h2c-upgrade', channel_id: GENERAL });
  });
});
