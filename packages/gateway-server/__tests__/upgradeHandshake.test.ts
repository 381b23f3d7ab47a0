// The opening handshake the gateway does itself (src/transport/upgradeResponse.ts, UpgradeHandler.ts): requests that
// are not a valid RFC 6455 §4.2.1 handshake are refused with their HTTP status; a valid one gets 101 with the accept
// hash, Hello in the same answer, and frames sent along with the request are read.
import { createHash } from 'node:crypto';
import { connect as tcp } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../src/GatewayServer.js';
import { startServer } from './helpers.js';

let server: GatewayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** Writes `request` and collects the answer until `done(bytes)` or the socket closes. */
function exchange(port: number, request: string | Buffer, done: (bytes: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = tcp(port, '127.0.0.1');
    let got = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer; got ${JSON.stringify(got.toString('latin1'))}`));
    }, 4000);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(got);
    };
    socket.on('data', (chunk) => {
      got = Buffer.concat([got, chunk]);
      if (done(got)) finish();
    });
    socket.on('close', finish);
    socket.on('error', () => undefined);
    socket.once('connect', () => socket.write(request));
  });
}

function request(headers: Record<string, string>, method = 'GET'): string {
  const all = {
    Host: '127.0.0.1',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  const lines = Object.entries(all)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `${name}: ${value}\r\n`);
  return `${method} /?v=10&encoding=json HTTP/1.1\r\n${lines.join('')}\r\n`;
}

const statusOf = (bytes: Buffer) => Number(/^HTTP\/1\.1 (\d{3})/.exec(bytes.toString('latin1'))?.[1]);

describe('the opening handshake', () => {
  it('answers 101 with the accept hash of RFC 6455 §4.2.2 and Hello in the same answer', async () => {
    server = await startServer();
    const answer = await exchange(server.address().port, request({ 'Sec-WebSocket-Key': KEY }), (b) =>
      b.includes('heartbeat_interval'),
    );
    const text = answer.toString('latin1');
    expect(statusOf(answer)).toBe(101);
    // The example of RFC 6455 §1.3.
    expect(text).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n');
    expect(createHash('sha1').update(`${KEY}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64')).toBe(
      's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
    );
    expect(text).not.toMatch(/Sec-WebSocket-Extensions/i);
    expect(text).toContain('"op":10');
  });

  it('accepts no extension, even when the client offers permessage-deflate', async () => {
    server = await startServer();
    const offer = request({ 'Sec-WebSocket-Key': KEY, 'Sec-WebSocket-Extensions': 'permessage-deflate' });
    const answer = await exchange(server.address().port, offer, (b) => b.includes('heartbeat_interval'));
    expect(statusOf(answer)).toBe(101);
    expect(answer.toString('latin1')).not.toMatch(/Sec-WebSocket-Extensions/i);
  });

  it('refuses a missing or malformed Sec-WebSocket-Key with 400', async () => {
    server = await startServer();
    const { port } = server.address();
    const complete = (b: Buffer) => b.includes('\r\n\r\n');
    for (const key of [
      '',
      'c2hvcnQ=',
      'dGhlIHNhbXBsZSBub25jZQ',
      'dGhlIHNhbXBsZSBub25jZQ==x',
      'dGhlIHNhbXBsZSBub25jZQ*=',
    ]) {
      expect(statusOf(await exchange(port, request({ 'Sec-WebSocket-Key': key }), complete))).toBe(400);
    }
  });

  it('refuses another WebSocket version with 426 naming version 13', async () => {
    server = await startServer();
    const answer = await exchange(
      server.address().port,
      request({ 'Sec-WebSocket-Key': KEY, 'Sec-WebSocket-Version': '8' }),
      (b) => b.includes('\r\n\r\n'),
    );
    expect(statusOf(answer)).toBe(426);
    expect(answer.toString('latin1')).toMatch(/\r\nSec-WebSocket-Version: 13\r\n/);
  });

  it('refuses a method other than GET (405); without Connection: upgrade it is a plain request (426)', async () => {
    server = await startServer();
    const { port } = server.address();
    const complete = (b: Buffer) => b.includes('\r\n\r\n');
    expect(statusOf(await exchange(port, request({ 'Sec-WebSocket-Key': KEY }, 'POST'), complete))).toBe(405);
    // Node hands such a request to the request handler, not to 'upgrade': the server's own answers 426.
    const keepAlive = request({ 'Sec-WebSocket-Key': KEY, Connection: 'keep-alive' });
    expect(statusOf(await exchange(port, keepAlive, complete))).toBe(426);
  });

  it('reads frames sent right behind the request, and answers a client that breaks the protocol with 1002', async () => {
    server = await startServer();
    // A ping sent with the request (masked, "hi"), then an unmasked text frame.
    const ping = Buffer.from([0x89, 0x82, 1, 2, 3, 4, 0x68 ^ 1, 0x69 ^ 2]);
    const unmasked = Buffer.from([0x81, 0x02, 0x68, 0x69]);
    const answer = await exchange(
      server.address().port,
      Buffer.concat([Buffer.from(request({ 'Sec-WebSocket-Key': KEY })), ping, unmasked]),
      (b) => b.includes(Buffer.from([0x88, 0x02, 0x03, 0xea])),
    );
    expect(answer.includes(Buffer.from([0x8a, 0x02, 0x68, 0x69]))).toBe(true);
    expect(answer.includes(Buffer.from([0x88, 0x02, 0x03, 0xea]))).toBe(true);
  });
});

describe('over a Duplex that is not a net.Socket (a proxy’s, an in-process transport)', () => {
  it('upgrades it, writes 101 and Hello, and answers a heartbeat on it', async () => {
    const { createServer } = await import('node:http');
    const { Duplex } = await import('node:stream');
    const http = createServer();
    server = await startServer({ server: http, port: undefined, host: undefined });
    const written: Buffer[] = [];
    const duplex = new Duplex({
      write(chunk: Buffer, _encoding, callback) {
        written.push(Buffer.from(chunk));
        callback();
      },
      read() {},
    });
    const req = {
      method: 'GET',
      url: '/?v=10&encoding=json',
      httpVersionMajor: 1,
      httpVersionMinor: 1,
      headers: {
        host: 'proxy.example',
        upgrade: 'websocket',
        connection: 'Upgrade',
        'sec-websocket-key': KEY,
        'sec-websocket-version': '13',
      },
      socket: duplex,
    };
    http.emit('upgrade', req, duplex, Buffer.alloc(0));
    const text = () => Buffer.concat(written).toString('latin1');
    expect(text()).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(text()).toContain('"op":10');
    const heartbeat = Buffer.from('{"op":1,"d":null}');
    const mask = [9, 8, 7, 6];
    duplex.push(
      Buffer.concat([
        Buffer.from([0x81, 0x80 | heartbeat.length, ...mask]),
        Buffer.from(heartbeat.map((b, i) => b ^ mask[i & 3]!)),
      ]),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(text()).toContain('{"op":11,');
    duplex.destroy();
  });
});
