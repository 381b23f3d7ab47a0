#!/usr/bin/env node
// A dry run of deploy/Dockerfile's build context, for machines without a Docker daemon: applies
// deploy/Dockerfile.dockerignore to the repository as Docker does (last matching rule wins, an excluded folder
// excludes what is in it, `!` takes a path back), then checks that every COPY source of the Dockerfile is in the
// context, that npm ci will find the lockfile and every workspace's package.json, and that no installed modules,
// build output, git data or local database get sent. Prints the context's size; exit 1 on a problem.
//   node deploy/check-build-context.mjs [--list]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const rules = readFileSync(join(root, 'deploy/Dockerfile.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => {
    const pattern = posix.normalize(line.replace(/^!/, '').replace(/^\//, ''));
    return { negate: line.startsWith('!'), pattern, regexp: toRegExp(pattern) };
  });

/**
 * A .dockerignore pattern as a regular expression, as Docker reads it (Go's filepath.Match plus `**`): `*` and `?`
 * stop at `/` and, unlike a shell, match a leading dot; `**` matches any number of folders.
 */
function toRegExp(pattern) {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      out += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** The path and each folder above it: `a/b/c` → `a`, `a/b`, `a/b/c`. */
const selfAndParents = (path) => path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
function excluded(path) {
  let out = false;
  for (const { negate, regexp } of rules) {
    if (selfAndParents(path).some((p) => regexp.test(p))) out = !negate;
  }
  return out;
}
/** Whether a `!` rule could take back something inside an excluded folder (then it must be walked). */
const reopens = (dir) => rules.some((r) => r.negate && r.pattern.startsWith(`${dir}/`));

const files = new Map();
(function walk(dir) {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!excluded(path) || reopens(path)) walk(path);
    } else if (!excluded(path)) {
      files.set(path, statSync(join(root, path)).size);
    }
  }
})('');

const problems = [];
const has = (source) => {
  const clean = source.replace(/\/$/, '');
  return files.has(clean) || [...files.keys()].some((f) => f.startsWith(`${clean}/`));
};
// COPY lines that read the context (not --from=<stage>): every source but the last word (the destination).
for (const line of readFileSync(join(root, 'deploy/Dockerfile'), 'utf8').split('\n')) {
  const words = line.trim().split(/\s+/);
  if (words[0] !== 'COPY' || words.some((w) => w.startsWith('--from='))) continue;
  for (const source of words.slice(1, -1).filter((w) => !w.startsWith('--'))) {
    if (!has(source)) problems.push(`COPY ${source}: not in the build context`);
  }
}
const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
for (const pattern of workspaces) {
  const base = pattern.replace(/\/\*$/, '');
  const dirs = pattern.endsWith('/*')
    ? readdirSync(join(root, base), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => `${base}/${d.name}`)
    : [base];
  for (const dir of dirs) {
    if (statSync(join(root, dir, 'package.json'), { throwIfNoEntry: false }) && !files.has(`${dir}/package.json`)) {
      problems.push(`${dir}/package.json: npm ci needs it, but it is not in the context`);
    }
  }
}
if (!files.has('package-lock.json')) problems.push('package-lock.json: not in the context');
for (const path of files.keys()) {
  if (/(^|\/)(node_modules|dist|\.git|\.data|\.turbo)(\/|$)/.test(path)) problems.push(`${path}: should stay out`);
}

const bytes = [...files.values()].reduce((a, b) => a + b, 0);
if (process.argv.includes('--list')) for (const path of [...files.keys()].sort()) console.log(path);
console.log(`build context: ${files.size} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB`);
for (const problem of problems.slice(0, 20)) console.error(`problem: ${problem}`);
if (problems.length > 20) console.error(`… and ${problems.length - 20} more problems`);
process.exit(problems.length === 0 ? 0 : 1);
