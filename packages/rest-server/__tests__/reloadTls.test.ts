import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { writeSelfSignedCert } from '@concord/test-services';
import { afterAll, expect, it } from 'vitest';
import { readTlsFiles, reloadTls } from '../src/ops/reloadTls.js';

const dir = mkdtempSync(join(tmpdir(), 'concord-rest-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed certificate for 127.0.0.1 named `name` (its CN), written to `<name>.cert.pem` / `<name>.key.pem`. */
function makeCert(name: string) {
  return writeSelfSignedCert(dir, name);
}

function peerName(port: number): Promise<{ cn: string; socket: TLSSocket }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () =>
      resolve({ cn: String(socket.getPeerCertificate().subject.CN), socket }),
    );
    socket.once('error', reject);
  });
}

it('serves the new certificate to new connections after a reload, and keeps open ones', async () => {
  const first = makeCert('first');
  const second = makeCert('second');
  const live = { cert: join(dir, 'live.cert.pem'), key: join(dir, 'live.key.pem') };
  copyFileSync(first.cert, live.cert);
  copyFileSync(first.key, live.key);
  const server = createServer(readTlsFiles(live), (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const before = await peerName(port);
    expect(before.cn).toBe('first');

    // A half-swapped pair (new certificate, old key) is refused and the server keeps its certificate.
    copyFileSync(second.cert, live.cert);
    expect(() => reloadTls(server, live)).toThrow();
    expect((await peerName(port)).cn).toBe('first');

    copyFileSync(second.key, live.key);
    reloadTls(server, live);
    const after = await peerName(port);
    expect(after.cn).toBe('second');
    expect(before.socket.destroyed).toBe(false);
    for (const { socket } of [before, after]) socket.destroy();
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
