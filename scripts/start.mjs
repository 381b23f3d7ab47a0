#!/usr/bin/env node
// `npm start`: builds the example chat server and what it imports (packages' dist/ do not exist on a fresh clone;
// turbo's cache makes this ~0.3 s afterwards), then runs the server in this process's terminal. Env: PORT, HOST,
// DATABASE_URL (see examples/chat-server/README.md).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const example = join(root, 'examples', 'chat-server');

if (!existsSync(join(example, 'package.json'))) {
  console.log('The example chat server (examples/chat-server) is missing.');
  process.exit(1);
}

const require = createRequire(import.meta.url);
let turbo;
try {
  turbo = join(dirname(require.resolve('turbo/package.json')), 'bin', 'turbo');
} catch {
  console.error('turbo is not installed: run `npm install` first.');
  process.exit(1);
}
const fresh = ['gateway-server', 'storage-adapters', 'snowflake'].some(
  (name) => !existsSync(join(root, 'packages', name, 'dist', 'index.js')),
);
if (fresh) console.log('[start] first run: building the packages the chat server uses (a minute or two)…');
const build = spawnSync(
  process.execPath,
  [turbo, 'run', 'build', '--filter=@concord/example-chat-server...', '--output-logs=errors-only', '--log-prefix=none'],
  { cwd: root, encoding: 'utf8', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' } },
);
if (build.status !== 0) {
  process.stdout.write(build.stdout ?? '');
  process.stderr.write(build.stderr ?? '');
  console.error('Building the packages the chat server needs failed (output above).');
  process.exit(build.status ?? 1);
}

// Run node directly (not `npm run`): one process less, and signals reach the server.
const child = spawn(process.execPath, ['--enable-source-maps', 'dist/main.js'], { cwd: example, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
