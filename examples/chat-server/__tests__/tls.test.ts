import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { writeSelfSignedCert } from '@concord/test-services';
import { afterAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer } from './startServer.js';

const dir = mkdtempSync(join(tmpdir(), 'concord-chat-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed certificate for 127.0.0.1 whose CN is `name`, and its PEM (to trust it). */
function makeCert(name: string) {
  const { cert, key } = writeSelfSignedCert(dir, name);
  return { cert, key, pem: readFileSync(cert) };
}

/** The CN of the certificate a new TLS connection to the port is shown. */
function servedName(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(String(socket.getPeerCertificate().subject.CN));
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

function httpsJson(url: string, ca: Buffer): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) }));
    })
      .once('error', reject)
      .end();
  });
}

it('serves HTTPS and WSS on one port, and a new certificate after SIGHUP without dropping open connections', async () => {
  const first = makeCert('first');
  const second = makeCert('second');
  const live = { cert: join(dir, 'live.cert.pem'), key: join(dir, 'live.key.pem') };
  copyFileSync(first.cert, live.cert);
  copyFileSync(first.key, live.key);
  const server = await startServer({ VOICE: 'off', TLS_CERT: live.cert, TLS_KEY: live.key });
  try {
    expect(server.url).toBe(`https://127.0.0.1:${server.port}`);
    expect(await httpsJson(`${server.url}/healthz`, first.pem)).toEqual({ status: 200, body: { status: 'ok' } });
    // Bots find the gateway through GET /gateway: over TLS it names wss://.
    expect(await httpsJson(`${server.api}/gateway`, first.pem)).toEqual({
      status: 200,
      body: { url: `wss://127.0.0.1:${server.port}/` },
    });

    // The gateway over WSS, trusting only the first certificate.
    const ws = new WebSocket(`wss://127.0.0.1:${server.port}/?v=10&encoding=json`, { ca: first.pem });
    const ready = new Promise<void>((resolve) =>
      ws.on('message', (raw) => JSON.parse(String(raw)).t === 'READY' && resolve()),
    );
    ws.once('open', () =>
      ws.send(
        JSON.stringify({ op: 2, d: { token: 'tls', intents: 1, properties: { os: 'l', browser: 't', device: 't' } } }),
      ),
    );
    await ready;

    copyFileSync(second.cert, live.cert);
    copyFileSync(second.key, live.key);
    const reloaded = new Promise<void>((resolve) => {
      const check = () => /certificate reloaded/.test(server.output()) && resolve();
      server.child.stdout!.on('data', check);
      check();
    });
    server.child.kill('SIGHUP');
    await reloaded;

    expect(await servedName(server.port)).toBe('second');
    expect(await httpsJson(`${server.url}/healthz`, second.pem)).toEqual({ status: 200, body: { status: 'ok' } });
    // The WSS connection made under the first certificate is still up: a heartbeat is acknowledged.
    const acked = new Promise<void>((resolve) =>
      ws.on('message', (raw) => JSON.parse(String(raw)).op === 11 && resolve()),
    );
    ws.send(JSON.stringify({ op: 1, d: null }));
    await acked;
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close(1000);
  } finally {
    await server.stop();
  }
});
