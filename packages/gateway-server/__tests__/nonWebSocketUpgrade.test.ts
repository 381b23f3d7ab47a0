// Issue #13 cause 10: a request with an `Upgrade` header that is not `websocket` (the JDK's HttpClient sends
// `Upgrade: h2c` by default) is an ordinary HTTP/1.1 request the server may answer without upgrading (RFC 9110
// §7.8). Node routes every request with an Upgrade header to the 'upgrade' event once someone listens to it, so the
// gateway must hand such requests back to the HTTP request handlers, body and keep-alive included.
import { createServer, type Server } from 'node:http';
import { connect as tcp } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../src/GatewayServer.js';
import { connect, startServer, type TestClient } from './helpers.js';

let server: GatewayServer | undefined;
let http: Server | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = undefined;
  if (http) await new Promise<void>((resolve) => http!.close(() => resolve()));
  http?.closeAllConnections();
  http = undefined;
});

const H2C = 'Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n';

/** Writes `request` on one socket and collects what comes back until `done(text)` says so (or the socket ends). */
function exchange(port: number, request: string, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tcp(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer; got ${JSON.stringify(text)}`));
    }, 4000);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(text);
    };
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      text = Buffer.concat(chunks).toString('utf8');
      if (done(text)) finish();
    });
    socket.on('close', finish);
    socket.on('error', () => undefined);
    socket.once('connect', () => socket.write(request));
  });
}

const statuses = (text: string) => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));

describe('a non-WebSocket Upgrade header', () => {
  it('gateway on its own server: answered as a plain request (426), not refused as a bad upgrade', async () => {
    server = await startServer();
    const { port } = server.address();
    const text = await exchange(port, `GET /?v=10 HTTP/1.1\r\nHost: 127.0.0.1\r\n${H2C}\r\n`, (t) =>
      t.includes('Upgrade Required'),
    );
    expect(statuses(text)).toEqual([426]);
  });

  it('gateway attached to an application server: the request handler answers, body and keep-alive intact', async () => {
    http = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const reply = JSON.stringify({ method: req.method, url: req.url, upgrade: req.headers.upgrade ?? null, body });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) });
        res.end(reply);
      });
    });
    await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
    server = await startServer({ server: http });
    const { port } = http.address() as { port: number };
    const payload = JSON.stringify({ content: 'héllo' });
    const text = await exchange(
      port,
      // Pipelined on one connection: an h2c upgrade with a body, a plain request, another h2c upgrade.
      `POST /api/v10/channels/1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n${H2C}` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}` +
        'GET /api/v10/gateway HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' +
        `GET /api/v10/users/@me HTTP/1.1\r\nHost: 127.0.0.1\r\n${H2C}\r\n`,
      (t) => statuses(t).length === 3 && t.trimEnd().endsWith('}'),
    );
    expect(statuses(text)).toEqual([200, 200, 200]);
    expect(text).toContain('"method":"GET","url":"/api/v10/users/@me","upgrade":null');
    expect(text).toContain(`"method":"POST","url":"/api/v10/channels/1/messages","upgrade":null`);
    expect(text).toContain(JSON.stringify(payload).slice(1, -1));
    expect(text).toContain('"method":"GET","url":"/api/v10/gateway"');
    expect(text).not.toContain('101 Switching');

    // WebSocket upgrades on the same server are still the gateway's.
    const c = await connect(server, 'v=10&encoding=json');
    clients.push(c);
    await c.next((p) => p.op === 10);
  });
});
