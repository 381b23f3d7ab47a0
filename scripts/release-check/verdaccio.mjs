// A throwaway Verdaccio on 127.0.0.1 for the release check: its own config and storage in a temp directory (so each
// run publishes into an empty registry), @concord/* served and publishable locally, everything else proxied to the
// registry npm is configured with. A CI user is registered through the htpasswd plugin; its token goes into a
// temporary .npmrc that every npm call of the check uses (never the developer's own ~/.npmrc credentials).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A free loopback port (closed again at once; Verdaccio binds it right after). */
async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

async function waitUntilUp(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}-/ping`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`verdaccio did not answer ${url}-/ping within ${timeoutMs} ms`);
}

/**
 * Starts Verdaccio (the repo's devDependency) and registers a publishing user.
 * @param {{ dir: string, uplink: string, bin: string, timeoutMs?: number }} options
 * @returns {Promise<{ url: string, npmrc: string, log: string, stop: () => Promise<void> }>}
 */
export async function startVerdaccio({ dir, uplink, bin, timeoutMs = 30_000 }) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const config = join(dir, 'config.yaml');
  const log = join(dir, 'verdaccio.log');
  writeFileSync(
    config,
    [
      `storage: ${JSON.stringify(join(dir, 'storage'))}`,
      `listen: 127.0.0.1:${port}`,
      'auth:',
      '  htpasswd:',
      `    file: ${JSON.stringify(join(dir, 'htpasswd'))}`,
      '    max_users: 1',
      'uplinks:',
      '  upstream:',
      `    url: ${JSON.stringify(uplink)}`,
      '    timeout: 60s',
      'packages:',
      "  '@concord/*':",
      '    access: $all',
      '    publish: $authenticated',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      '    proxy: upstream',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [bin, '--config', config, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: false,
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await once(child, 'exit');
    clearTimeout(timer);
    writeFileSync(log, output);
  };
  try {
    await waitUntilUp(url, child, timeoutMs);
    // npm adduser's request: the htpasswd plugin creates the user and answers with a token.
    const name = 'release-check';
    const res = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password: `rc-${process.pid}-${Date.now()}`, type: 'user', roles: [] }),
    });
    const body = await res.json();
    if (!res.ok || !body.token) throw new Error(`verdaccio refused the CI user: ${res.status} ${JSON.stringify(body)}`);
    const npmrc = join(dir, 'npmrc');
    writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${body.token}\n`);
    return { url, npmrc, log, output: () => output, stop };
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\n${output}`);
  }
}
