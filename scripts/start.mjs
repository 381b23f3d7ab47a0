#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
// `npm start`: runs the example chat server once it exists (examples/chat-server); until then, says what is coming.
import { existsSync } from 'node:fs';

if (existsSync('examples/chat-server/package.json')) {
  const r = spawnSync('npm', ['run', 'start', '-w', 'examples/chat-server'], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
console.log('The example chat server (examples/chat-server) is not assembled yet.');
console.log('It will serve the gateway, the REST subset and a web page on one port; see README.md for the roadmap.');
