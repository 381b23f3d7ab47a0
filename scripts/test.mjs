#!/usr/bin/env node
// `npm test`: build every package (tests import each other through their built `exports`), then run every test.
import { spawnSync } from 'node:child_process';

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: false });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);
run('npx', ['vitest', 'run', ...process.argv.slice(2)]);
