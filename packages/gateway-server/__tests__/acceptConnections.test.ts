// `acceptConnections` (src/transport/UpgradeDemux.ts): the gateway reads each new connection's request head before
// Node's HTTP server does, keeps gateway upgrades and hands every other connection to the server as if it had come
// straight there. REST on the same port must not notice: keep-alive, pipelining, bodies, heads in pieces, TLS, other
// upgrade listeners; hostile heads end as Node ends them; late heads are answered 408.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { type Socket, connect as tcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tls } from 'node:tls';
import { writeSelfSignedCert } from '@concord/test-services';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { GatewayServer } from '../src/GatewayServer.js';
import { UpgradeDemux } from '../src/transport/UpgradeDemux.js';
import { delay, startServer } from './helpers.js';

let gateway: GatewayServer | undefined;
let http: Server | HttpsServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await gateway?.close();
  gateway = undefined;
  if (http) {
    const closing = new Promise<void>((resolve) => http!.close(() => resolve()));
    http.closeAllConnections();
    await closing;
  }
  http = undefined;
});

const dir = mkdtempSync(join(tmpdir(), 'concord-accept-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Answers every request with what it saw: method, URL, the Upgrade header and the body. */
function echo(req: IncomingMessage, res: ServerResponse): void {
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
}

/** An application server with the gateway attached and `acceptConnections` on; its port. */
async function attached(options: { path?: string } = {}): Promise<number> {
  http = createServer(echo);
  await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
  gateway = await startServer({ server: http, port: undefined, host: undefined, acceptConnections: true, ...options });
  return (http.address() as { port: number }).port;
}

/** One connection that collects what comes back; `until(text)` resolves once the text read so far satisfies it. */
function client(port: number) {
  const socket = tcp(port, '127.0.0.1');
  socket.setNoDelay(true);
  sockets.push(socket);
  let got = Buffer.alloc(0);
  let closed = false;
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  socket.on('data', (chunk) => {
    got = Buffer.concat([got, chunk]);
    wake();
  });
  socket.on('close', () => {
    closed = true;
    wake();
  });
  socket.on('error', () => undefined);
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return {
    socket,
    get text() {
      return got.toString('latin1');
    },
    get closed() {
      return closed;
    },
    async write(data: string | Buffer) {
      await connected;
      socket.write(data);
    },
    /** Writes `data` a few bytes at a time, each piece in its own segment. */
    async trickle(data: string, size = 3) {
      await connected;
      for (let i = 0; i < data.length; i += size) {
        socket.write(data.slice(i, i + size));
        await delay(2);
      }
    },
    until(done: (text: string, closed: boolean) => boolean): Promise<string> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no complete answer; got ${JSON.stringify(this.text)}`)), 8000);
        const check = () => {
          if (done(got.toString('latin1'), closed)) {
            clearTimeout(timer);
            resolve(got.toString('latin1'));
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}

const statuses = (text: string) => [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
/** The bodies of the complete responses in `text` (latin-1 as read), as the echo handler wrote them. */
function bodies(text: string): { method: string; url: string; upgrade: string | null; body: string }[] {
  const out = [];
  const bytes = Buffer.from(text, 'latin1');
  let at = 0;
  for (;;) {
    const end = bytes.indexOf('\r\n\r\n', at);
    if (end === -1) return out;
    const length = Number(/content-length: (\d+)/i.exec(bytes.toString('latin1', at, end))?.[1] ?? 0);
    if (bytes.length < end + 4 + length) return out;
    const body = bytes.toString('utf8', end + 4, end + 4 + length);
    if (body.startsWith('{"method"')) out.push(JSON.parse(body));
    at = end + 4 + length;
  }
}

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const upgrade = (extra = '', target = '/?v=10&encoding=json', version = '1.1') =>
  `GET ${target} HTTP/${version}\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
/** A masked client text frame (RFC 6455 §5.3), payload under 126 bytes. */
function masked(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = [7, 1, 2, 9];
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length, ...mask]), payload.map((b, i) => b ^ mask[i % 4]!)]);
}
const hello = (text: string) => text.includes('"op":10');

describe('acceptConnections: REST on the same port', () => {
  it('serves keep-alive and pipelined requests, bodies and a head in pieces, as without it', async () => {
    const port = await attached();
    const c = client(port);
    // A head a few bytes per segment, then two pipelined requests (a POST with a body) in one write.
    await c.trickle('GET /api/v10/gateway HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await c.until((t) => statuses(t).length === 1);
    const payload = JSON.stringify({ content: 'héllo' });
    await c.write(
      `POST /api/v10/channels/1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}GET /api/v10/users/@me HTTP/1.1\r\nHost: a\r\n\r\n`,
    );
    const text = await c.until((t) => statuses(t).length === 3 && bodies(t).length === 3);
    expect(statuses(text)).toEqual([200, 200, 200]);
    expect(bodies(text).map((b) => [b.method, b.url])).toEqual([
      ['GET', '/api/v10/gateway'],
      ['POST', '/api/v10/channels/1/messages'],
      ['GET', '/api/v10/users/@me'],
    ]);
    expect(Buffer.from(c.text, 'latin1').toString('utf8')).toContain(JSON.stringify(payload).slice(1, -1));
    expect(c.closed).toBe(false);
  });

  it('a body sent with the head and the rest later; a request whose head ends with the connection', async () => {
    const port = await attached();
    const c = client(port);
    await c.write('POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n01234');
    await delay(20);
    await c.write('56789');
    expect(bodies(await c.until((t) => bodies(t).length === 1))[0]).toMatchObject({ body: '0123456789' });
    const d = client(port);
    await d.write('GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    d.socket.end();
    const text = await d.until((_t, closed) => closed);
    expect(statuses(text)).toEqual([200]);
  });

  it('a non-WebSocket upgrade (h2c) is a plain request for the handler; another listener owns another path', async () => {
    const port = await attached({ path: '/gateway' });
    const c = client(port);
    await c.write(
      'GET /api/v10/users/@me HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n' +
        'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n',
    );
    expect(bodies(await c.until((t) => bodies(t).length === 1))[0]).toMatchObject({
      url: '/api/v10/users/@me',
      upgrade: null,
    });
    // `Upgrade: websocket` without `Connection: upgrade`: not an upgrade for Node either, a request for the handler.
    await c.write(upgrade().replace('Connection: Upgrade', 'Connection: keep-alive'));
    expect(bodies(await c.until((t) => bodies(t).length === 2))[1]).toMatchObject({ upgrade: 'websocket' });
    // Another 'upgrade' listener of the server, for its own path.
    const other = new WebSocketServer({ noServer: true });
    http!.on('upgrade', (req, socket, head) => {
      if (req.url === '/other') other.handleUpgrade(req, socket, head, (ws) => ws.send('other'));
    });
    const ws = new WebSocket(`ws://127.0.0.1:${port}/other`);
    expect(String(await new Promise((resolve) => ws.once('message', resolve)))).toBe('other');
    ws.close();
    other.close();
    const g = client(port);
    await g.write(upgrade('', '/gateway?v=10&encoding=json'));
    expect(statuses(await g.until(hello))).toEqual([101]);
  });
});

describe('acceptConnections: gateway connections', () => {
  it('upgrades without the HTTP server seeing the connection; other forms still upgrade through it', async () => {
    const port = await attached();
    let viaHttp = 0;
    http!.prependListener('upgrade', () => viaHttp++);
    const c = client(port);
    await c.write(upgrade());
    expect(statuses(await c.until(hello))).toEqual([101]);
    expect(viaHttp).toBe(0);
    // Forms left to Node's parser: a body length, a duplicate handshake field, many fields. Still gateway upgrades.
    const fields = Array.from({ length: 70 }, (_, i) => `X-${i}: ${i}\r\n`).join('');
    for (const extra of ['Content-Length: 0\r\n', 'Sec-WebSocket-Version: 13\r\n', fields]) {
      const d = client(port);
      await d.write(upgrade(extra));
      expect(statuses(await d.until((t) => hello(t) || t.includes('\r\n\r\n')))).toEqual(
        extra.startsWith('Sec') ? [426] : [101],
      );
    }
    expect(viaHttp).toBe(3);
  });

  it('reads a head that arrives in pieces, and the frames sent right behind it', async () => {
    const port = await attached();
    const c = client(port);
    await c.trickle(upgrade().slice(0, -10), 7);
    await c.write(Buffer.concat([Buffer.from(upgrade().slice(-10)), masked('{"op":1,"d":null}')]));
    const text = await c.until((t) => t.includes('"op":11'));
    expect(statuses(text)).toEqual([101]);
    expect(text.indexOf('"op":10')).toBeLessThan(text.indexOf('"op":11'));
    // Longer than the first buffer kept for a partial head (it grows), and past the head limit (Node answers 431).
    const long = client(port);
    await long.trickle(upgrade(`X-Pad: ${'p'.repeat(3000)}\r\n`), 150);
    expect(statuses(await long.until(hello))).toEqual([101]);
    const over = client(port);
    await over.trickle(upgrade(`X-Pad: ${'p'.repeat(17_000)}\r\n`), 1500);
    expect(statuses(await over.until((t, closed) => t.includes('\r\n\r\n') || closed))).toEqual([431]);
  });

  it('refuses what the gateway refuses, on both paths, with the same statuses', async () => {
    const port = await attached();
    const answer = async (request: string) => {
      const c = client(port);
      await c.write(request);
      return statuses(await c.until((t, closed) => t.includes('\r\n\r\n') || closed));
    };
    expect(await answer(upgrade('', '/?v=10&encoding=nope'))).toEqual([400]);
    expect(await answer(upgrade().replace(KEY, 'short'))).toEqual([400]);
    expect(await answer(upgrade().replace('Version: 13', 'Version: 8'))).toEqual([426]);
    expect(await answer(upgrade().replace('GET', 'POST'))).toEqual([405]);
    expect(await answer(upgrade('', undefined, '1.0'))).toEqual([400]);
  });
});

describe('acceptConnections: hostile heads', () => {
  it('ends them as Node ends them: too large 431, malformed 400', async () => {
    const port = await attached();
    const answer = async (request: string) => {
      const c = client(port);
      await c.write(request);
      return statuses(await c.until((t, closed) => t.includes('\r\n\r\n') || closed));
    };
    expect(await answer(`GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)).toEqual([431]);
    expect(await answer(upgrade(`X-Big: ${'a'.repeat(20_000)}\r\n`))).toEqual([431]);
    expect(await answer('GET / HTTP/9.9\r\nHost: a\r\n\r\n')).toEqual([400]);
    expect(await answer('\x16\x03\x01\x00\x05hello\r\n\r\n')).toEqual([400]);
    expect(await answer('GET / HTTP/1.1\r\nHost : a\r\n\r\n')).toEqual([400]);
  });

  it('answers a late head 408 and closes it (slowloris), as it does a connection that sends nothing', async () => {
    const port = await attached();
    http!.headersTimeout = 1000;
    const slow = client(port);
    const silent = client(port);
    await slow.write('GET /?v=10 HTTP/1.1\r\nHost: a\r\n');
    await silent.write('');
    for (let i = 0; i < 8 && !slow.closed; i++) {
      await delay(200);
      if (!slow.closed) slow.socket.write('X-A: b\r\n');
    }
    expect(statuses(await slow.until((_t, closed) => closed))).toEqual([408]);
    expect(statuses(await silent.until((_t, closed) => closed))).toEqual([408]);
  }, 15_000);
});

describe('acceptConnections over TLS', () => {
  it('reads the decrypted head: HTTPS keep-alive and WSS on one port', async () => {
    const { cert, key } = writeSelfSignedCert(dir, 'accept');
    const ca = readFileSync(cert);
    http = createHttpsServer({ cert: readFileSync(cert), key: readFileSync(key) }, echo);
    await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
    gateway = await startServer({ server: http, port: undefined, host: undefined, acceptConnections: true });
    const port = (http.address() as { port: number }).port;
    const socket = tls({ host: '127.0.0.1', port, ca });
    sockets.push(socket);
    let text = '';
    socket.on('data', (c) => {
      text += c.toString('latin1');
    });
    socket.write('GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi');
    while (bodies(text).length < 2) await delay(10);
    expect(bodies(text).map((b) => [b.method, b.url, b.body])).toEqual([
      ['GET', '/a', ''],
      ['POST', '/b', 'hi'],
    ]);
    const ws = new WebSocket(`wss://127.0.0.1:${port}/?v=10&encoding=json`, { ca });
    const first = await new Promise<string>((resolve) => ws.once('message', (d) => resolve(String(d))));
    expect(JSON.parse(first)).toMatchObject({ op: 10 });
    ws.close();
  });
});

describe('UpgradeDemux', () => {
  it('keeps nothing for connections gone before their head, and gives the listeners back', async () => {
    const server = createServer(echo);
    http = server;
    const original = server.rawListeners('connection');
    const demux = new UpgradeDemux(server, () => false);
    demux.install();
    expect(server.rawListeners('connection')).not.toEqual(original);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const gone = [client(port), client(port)];
    await gone[0]!.write('GET / HT');
    await gone[1]!.write('');
    while (demux.waiting < 2) await delay(5);
    for (const g of gone) g.socket.destroy();
    while (demux.waiting > 0) await delay(5);
    // Refused by the taker: served by the server, as after `uninstall`.
    const c = client(port);
    await c.write('GET /kept HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(bodies(await c.until((t) => bodies(t).length === 1))[0]).toMatchObject({ url: '/kept' });
    const waitingHead = client(port);
    await waitingHead.write('GET /late HTTP/1.1\r\n');
    while (demux.waiting < 1) await delay(5);
    demux.uninstall();
    expect(server.rawListeners('connection')).toEqual(original);
    await waitingHead.write('Host: a\r\n\r\n');
    expect(bodies(await waitingHead.until((t) => bodies(t).length === 1))[0]).toMatchObject({ url: '/late' });
  });
});
