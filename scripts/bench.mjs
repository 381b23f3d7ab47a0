#!/usr/bin/env node
// `npm run bench [filter]`: builds, then runs every bench/*.ts of every package and example, one after another (never in
// parallel: they would measure each other), and collects the JSON comparison lines into bench-results.jsonl.
// Shared bench code (fixtures, client processes, baselines) lives in bench/lib/ and is not run on its own.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const filter = process.argv[2];
const build = spawnSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const files = [];
for (const top of ['packages', 'examples']) {
  if (!existsSync(top)) continue;
  for (const pkg of readdirSync(top)) {
    const dir = join(top, pkg, 'bench');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.ts')) files.push(join(dir, f));
  }
}

const lines = [];
let failed = 0;
for (const file of files) {
  if (filter && !file.includes(filter)) continue;
  console.log(`\n=== ${file}`);
  const r = spawnSync('node', ['--expose-gc', '--import', 'tsx', file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(r.stdout ?? '');
  if (r.status !== 0) {
    failed++;
    console.error(`bench failed: ${file} (exit ${r.status})`);
  }
  for (const l of (r.stdout ?? '').split('\n')) if (l.startsWith('{"bench"')) lines.push(l);
}
writeFileSync('bench-results.jsonl', lines.length ? `${lines.join('\n')}\n` : '');
console.log(`\n${lines.length} comparisons written to bench-results.jsonl`);
process.exit(failed ? 1 : 0);
