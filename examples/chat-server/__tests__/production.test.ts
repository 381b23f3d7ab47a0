import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { openStorage } from '@concord/storage-adapters/open';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createChatServer } from '../src/createChatServer.js';
import { RawGateway } from './rawGateway.js';
import { freePort, startServer } from './startServer.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Runs dist/main.js until it exits by itself (a setting or port it cannot start with). */
function runToExit(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd: root,
      env: { ...process.env, HOST: '127.0.0.1', DATABASE_URL: ':memory:', VOICE: 'off', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The gateway's control frames (op 7 Reconnect and the like) of one connection, in order. */
function controlOps(ws: WebSocket): number[] {
  const ops: number[] = [];
  ws.on('message', (raw) => {
    const { op } = JSON.parse(String(raw));
    if (op !== 0 && op !== 10 && op !== 11) ops.push(op);
  });
  return ops;
}

function upgradeStatus(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/?v=10&encoding=json`);
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('error', (error) => (error.message.includes('Unexpected server response') ? undefined : reject(error)));
  });
}

describe('SIGTERM: graceful shutdown', () => {
  it('answers readyz 503, sends op 7, refuses new sessions, closes stragglers with 4000 and exits 0', async () => {
    const server = await startServer({ VOICE: 'off', SHUTDOWN_TIMEOUT_MS: '10000' });
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    // `polite` obeys op 7 (closes to resume elsewhere), `stubborn` ignores it until the server closes it.
    const polite = await RawGateway.identify(server.port, 'polite');
    const stubborn = await RawGateway.identify(server.port, 'stubborn');
    const politeOps = controlOps(polite.ws);
    const stubbornOps = controlOps(stubborn.ws);
    const told = new Promise<void>((resolve) =>
      polite.ws.on('message', (raw) => JSON.parse(String(raw)).op === 7 && resolve()),
    );

    server.child.kill('SIGTERM');
    await told;
    // While the drain waits for `stubborn`: not ready, and no new gateway sessions here.
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'draining', checks: {} });
    expect(await upgradeStatus(server.port)).toBe(503);
    polite.ws.close(4000);

    expect(await stubborn.closed).toBe(4000);
    expect(await exited).toBe(0);
    expect(politeOps).toEqual([7]);
    expect(stubbornOps).toEqual([7]);
    expect(server.output()).toMatch(/SIGTERM: shutting down/);
    expect(server.output()).toMatch(/"forced":1.*closed in \d+ ms/);
  });
});

describe('probes and logs', () => {
  it('serves /healthz, /readyz with each check, and the gateway metrics at /metrics, and logs JSON lines', async () => {
    const server = await startServer({ VOICE: 'off' });
    try {
      expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
      expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({
        status: 'ok',
        checks: { storage: { ok: true }, broker: { ok: true } },
      });
      const gw = await RawGateway.identify(server.port, 'metered');
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/^concord_gateway_identifies_total\{result="ok"\} 1$/m);
      expect(metrics).toMatch(/^concord_gateway_connections\{encoding="json",compression="none"\} 1$/m);
      gw.close();
      const lines = server.output().trim().split('\n');
      for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
      expect(JSON.parse(lines.find((l) => l.includes('ready on'))!)).toMatchObject({ level: 30 });
    } finally {
      await server.stop();
    }
  });

  it('readyz names the storage when its store stops answering, while healthz stays 200', async () => {
    const storage = await openStorage(':memory:');
    let broken = false;
    const { count } = storage.entities;
    storage.entities.count = (kind, partition) =>
      broken ? Promise.reject(new Error('connection terminated')) : count.call(storage.entities, kind, partition);
    const server = await createChatServer({ storage, port: 0 });
    try {
      expect((await server.app.inject('/readyz')).statusCode).toBe(200);
      broken = true;
      const ready = await server.app.inject('/readyz');
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({
        status: 'failing',
        checks: { storage: { ok: false, error: 'connection terminated' }, broker: { ok: true } },
      });
      expect((await server.app.inject('/healthz')).statusCode).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('settings it cannot start with: one line, exit 1', () => {
  it('a taken port', async () => {
    const taken = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const run = await runToExit({ PORT: String(port) });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`[chat] port ${port} is in use (set PORT=… to another port)\n`);
    } finally {
      taken.close();
    }
  });

  it('a DATABASE_URL with an unknown scheme, an unparseable one, and an unreachable PostgreSQL', async () => {
    const closed = await freePort();
    const runs = await Promise.all(
      ['mysql://chat@127.0.0.1/chat', 'postgres://[::1', `postgres://chat:hunter2@127.0.0.1:${closed}/chat`].map(
        (url) => runToExit({ PORT: '0', DATABASE_URL: url }),
      ),
    );
    expect(runs.map((r) => r.code)).toEqual([1, 1, 1]);
    expect(runs[0]!.stderr).toBe(
      '[chat] DATABASE_URL has an unknown scheme "mysql:" (use postgres://…, cassandra://…, sqlite:<file>, a file path or :memory:)\n',
    );
    expect(runs[1]!.stderr).toBe('[chat] DATABASE_URL is not a valid URL: postgres://[::1\n');
    expect(runs[2]!.stderr).toMatch(
      new RegExp(
        `^\\[chat\\] DATABASE_URL: cannot open postgres://chat:\\*\\*\\*@127\\.0\\.0\\.1:${closed}/chat: .*ECONNREFUSED.*\\n$`,
      ),
    );
    for (const run of runs) expect(run.stderr.split('\n')).toHaveLength(2);
  });

  it('a malformed number and half a TLS pair', async () => {
    const runs = await Promise.all([runToExit({ PORT: 'eighty' }), runToExit({ PORT: '0', TLS_CERT: '/x.pem' })]);
    expect(runs.map((r) => [r.code, r.stderr])).toEqual([
      [1, '[chat] PORT must be an integer from 0 to 65535, got "eighty"\n'],
      [1, '[chat] TLS_KEY must be set along with TLS_CERT\n'],
    ]);
  });
});
