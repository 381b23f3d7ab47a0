#!/usr/bin/env node
// The release check (issue #17): what a new user gets from npm, tried the way they would try it.
//   1. builds the packages (turbo), starts a throwaway Verdaccio on 127.0.0.1 (verdaccio.mjs) and publishes every
//      publishable package of packages/* to it with the dist-tag `ci` (a fresh registry per run: republishing the same
//      version never collides);
//   2. creates an empty project in a temp directory outside the repo and installs, by name from that registry, the
//      packages and the third-party ones the READMEs' own `npm install` lines name, plus typescript 5.9 and
//      @types/node 20;
//   3. runs every js/ts block of every packages/*/README.md (extractCodeBlocks.mjs) as ESM, as CommonJS and under
//      `tsc --strict` (runBlocks.mjs); pairs run together and must print what their markers say.
// Any failure prints the block, the mode and the output, and the exit code is 1. Verdaccio is stopped and the temp
// directory removed whatever happens (kept when RELEASE_CHECK_KEEP=1, for a look at the project).
// Usage: node scripts/release-check/releaseCheck.mjs [--no-build] [--only <package dir name>]... [--reuse <project>]
//   --reuse: run the blocks again in a project kept by an earlier run (RELEASE_CHECK_KEEP=1 prints its path), without
//   building, publishing or installing: for editing READMEs.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractCodeBlocks } from './extractCodeBlocks.mjs';
import { BlockRunner, blockId } from './runBlocks.mjs';
import { startVerdaccio } from './verdaccio.mjs';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const args = process.argv.slice(2);
const reuse = args[args.indexOf('--reuse') + 1];
const only = args.flatMap((arg, i) => (args[i - 1] === '--only' ? [arg] : []));
// Settings from the environment (none needed): time limits per block and in all, keeping the temp project, building
// native dependencies from the registry (see nativeInRepo).
const {
  RELEASE_CHECK_BLOCK_TIMEOUT_MS = '30000',
  RELEASE_CHECK_TIMEOUT_MS = '600000',
  RELEASE_CHECK_KEEP,
  RELEASE_CHECK_BUILD_NATIVE,
} = process.env;
const BLOCK_TIMEOUT_MS = Number(RELEASE_CHECK_BLOCK_TIMEOUT_MS);
const TOTAL_TIMEOUT_MS = Number(RELEASE_CHECK_TIMEOUT_MS);
const TOOLS = ['typescript@~5.9.3', '@types/node@^20.19.0'];

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const step = (text) => console.log(`\n=== [${elapsed()}] release-check: ${text}`);

/** Runs a command, its output shown only when it fails (then it throws). */
function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { encoding: 'utf8', timeout: 300_000, ...options });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    throw new Error(
      `${command} ${commandArgs.join(' ')} failed (${result.status ?? result.signal ?? result.error}):\n${output}`,
    );
  }
  return result.stdout;
}

/** Third-party packages named by `npm install` / `npm i` lines of sh blocks (flags and @concord/* left out). */
function readmeInstalls(blocks) {
  const names = new Set();
  for (const block of blocks) {
    if (!['sh', 'bash', 'shell', 'console'].includes(block.lang)) continue;
    for (const line of block.code.split('\n')) {
      const match = /^\s*\$?\s*npm\s+(?:install|i|add)\s+(.*)$/.exec(line);
      if (!match) continue;
      for (const word of match[1].replace(/#.*$/, '').split(/\s+/)) {
        if (word && !word.startsWith('-') && !word.startsWith('@concord/')) names.add(word);
      }
    }
  }
  return [...names].sort();
}

/**
 * A third-party package with a native build (an install script: better-sqlite3) is not installed from the registry but
 * symlinked, after the install, to the repo's own built copy: without network access to its prebuilt binaries, node-gyp
 * takes minutes on CI. (A `file:` install would not do: npm runs the install script again inside the repo's copy.) Its
 * JavaScript and types are the same; RELEASE_CHECK_BUILD_NATIVE=1 installs it from the registry instead.
 * @returns {string | null} the repo's copy to link, or null to install the spec from the registry
 */
function nativeInRepo(spec) {
  const name = spec.replace(/(.)@.*$/, '$1');
  const dir = join(root, 'node_modules', name);
  if (RELEASE_CHECK_BUILD_NATIVE === '1' || !existsSync(join(dir, 'package.json'))) return null;
  const { scripts = {}, gypfile } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return scripts.install || gypfile ? dir : null;
}

/** Every file a package's `exports` names must be in it: catches a publish racing a build that is still writing. */
function checkExports(dir, manifest) {
  const files = [];
  const walk = (value) => {
    if (typeof value === 'string') files.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(manifest.exports);
  const missing = files.filter((file) => !existsSync(join(dir, file)));
  if (missing.length > 0)
    throw new Error(`${manifest.name}: exports name missing files (build incomplete?): ${missing.join(', ')}`);
}

function publishablePackages() {
  return readdirSync(join(root, 'packages'))
    .map((name) => ({ name, dir: join(root, 'packages', name) }))
    .filter(({ dir }) => existsSync(join(dir, 'package.json')))
    .map((pkg) => ({ ...pkg, manifest: JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => !manifest.private);
}

function report(title, block, mode, result) {
  console.log(`\n--- FAIL ${title} [${mode}]: ${result.detail}`);
  if (block) console.log(`--- the block (${block.file}:${block.line}):\n${block.code}`);
  console.log(`--- output:\n${result.output.trimEnd() || '(none)'}`);
}

async function publishAndInstall(cleanup, packages, allBlocks) {
  if (!args.includes('--no-build')) {
    step('build (turbo)');
    run(
      'npx',
      ['turbo', 'run', 'build', '--output-logs=errors-only', ...packages.map((p) => `--filter=${p.manifest.name}`)],
      { cwd: root, stdio: 'inherit' },
    );
  }

  const work = mkdtempSync(join(tmpdir(), 'concord-release-check-'));
  cleanup.push(() => {
    if (RELEASE_CHECK_KEEP === '1') console.log(`release-check: kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  });
  if (!relative(root, work).startsWith('..')) throw new Error(`temp directory ${work} is inside the repo`);

  step('start Verdaccio');
  const uplink = execFileSync('npm', ['config', 'get', 'registry'], { cwd: root, encoding: 'utf8' }).trim();
  const registry = await startVerdaccio({
    dir: work,
    uplink,
    bin: join(root, 'node_modules', 'verdaccio', 'bin', 'verdaccio'),
  });
  cleanup.push(() => registry.stop());
  console.log(`${registry.url} (uplink ${uplink})`);
  // Our npmrc (registry + token) instead of the developer's; npm_config_* set by an outer `npm run` left out.
  const npmEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_config_/i.test(key) || /^npm_config_cache$/i.test(key)),
  );
  Object.assign(npmEnv, { npm_config_userconfig: registry.npmrc, npm_config_registry: registry.url });

  step(`publish ${packages.length} packages (tag ci)`);
  for (const { dir, manifest } of packages) {
    checkExports(dir, manifest);
    run('npm', ['publish', '--tag', 'ci', '--registry', registry.url, '--ignore-scripts', '--no-provenance'], {
      cwd: dir,
      env: npmEnv,
    });
    console.log(`${manifest.name}@${manifest.version}`);
  }

  step('install them by name into an empty project');
  const project = join(work, 'consumer');
  run('mkdir', ['-p', project]);
  const extras = readmeInstalls(allBlocks);
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'release-check-consumer', version: '1.0.0', private: true }, null, 2)}\n`,
  );
  const linked = extras.filter((spec) => nativeInRepo(spec));
  const fromRegistry = extras.filter((spec) => !linked.includes(spec));
  const specs = [...packages.map(({ manifest }) => `${manifest.name}@ci`), ...fromRegistry, ...TOOLS];
  console.log(specs.join(' '));
  run('npm', ['install', '--no-audit', '--no-fund', '--registry', registry.url, ...specs], {
    cwd: project,
    env: npmEnv,
  });
  for (const spec of linked) {
    const target = join(project, 'node_modules', spec.replace(/(.)@.*$/, '$1'));
    rmSync(target, { recursive: true, force: true });
    symlinkSync(nativeInRepo(spec), target, 'dir');
    console.log(`${spec}: linked to the repo's built copy (${nativeInRepo(spec)})`);
  }

  return project;
}

async function main(cleanup) {
  const packages = publishablePackages();
  const readmes = packages.map(({ dir }) => join(dir, 'README.md')).filter((file) => existsSync(file));
  const allBlocks = readmes.flatMap((file) => extractCodeBlocks(relative(root, file)));
  const selected = (block) => only.length === 0 || only.some((name) => block.file === `packages/${name}/README.md`);
  const runnable = allBlocks.filter((block) => block.kind && !block.marker.skip && selected(block));
  const skipped = allBlocks.filter((block) => block.kind && block.marker.skip && selected(block));
  const missingOpening = readmes.filter((file) => {
    const first = allBlocks.find((block) => block.file === relative(root, file) && block.kind);
    return !first || first.marker.skip;
  });

  const project = args.includes('--reuse') ? resolve(reuse) : await publishAndInstall(cleanup, packages, allBlocks);
  const runner = new BlockRunner({ project, blockTimeoutMs: BLOCK_TIMEOUT_MS });
  const failures = [];
  const rows = [];
  const record = (title, mode, result, block) => {
    rows.push({ title, mode, ok: result.ok, ms: result.ms, detail: result.detail });
    if (!result.ok) {
      failures.push(title);
      report(title, block, mode, result);
    }
  };

  const solo = runnable.filter((block) => !block.marker.pair);
  const pairs = new Map();
  for (const block of runnable.filter((b) => b.marker.pair)) {
    const pair = pairs.get(block.marker.pair.name) ?? {};
    pair[block.marker.pair.role] = block;
    pairs.set(block.marker.pair.name, pair);
  }
  step(`run ${solo.length} blocks and ${pairs.size} pairs as ESM and CommonJS (${skipped.length} marked skip)`);
  for (const mode of ['esm', 'cjs']) {
    for (const block of solo) record(`${block.file}:${block.line}`, mode, await runner.runSolo(block, mode), block);
    for (const [name, { server, client }] of pairs) {
      if (!server || !client) {
        record(`pair ${name}`, mode, {
          ok: false,
          detail: 'a pair needs one server and one client block',
          output: '',
          ms: 0,
        });
        continue;
      }
      const result = await runner.runPair(server, client, mode);
      record(`pair ${name} (${server.file}:${server.line} + ${client.file}:${client.line})`, mode, result, null);
    }
  }

  step(`tsc --strict --noEmit (module nodenext) over ${runnable.length} blocks`);
  const { results } = await runner.typecheck(runnable);
  for (const block of runnable) record(`${block.file}:${block.line}`, 'tsc', results.get(block), block);

  for (const file of readmes) {
    const name = JSON.parse(readFileSync(join(file, '..', 'package.json'), 'utf8')).name;
    const shows = allBlocks.some(
      (block) =>
        block.file === relative(root, file) && block.lang === 'sh' && block.code.includes(`npm install ${name}`),
    );
    if (!shows)
      record(
        relative(root, file),
        'install',
        { ok: false, detail: `no \`npm install ${name}\` in a sh block`, output: '', ms: 0 },
        null,
      );
  }
  for (const file of missingOpening) {
    const result = { ok: false, detail: 'the README does not open with a runnable js/ts block', output: '', ms: 0 };
    record(relative(root, file), 'opening', result, null);
  }

  step('summary');
  for (const row of rows)
    console.log(
      `${row.ok ? 'ok  ' : 'FAIL'} ${row.mode.padEnd(7)} ${String(row.ms).padStart(6)} ms  ${row.title}${row.ok ? '' : `: ${row.detail}`}`,
    );
  for (const block of skipped)
    console.log(`skip ${blockId(block)} (${block.file}:${block.line}): ${block.marker.skip}`);
  console.log(
    `\nrelease-check: ${rows.length - failures.length} passed, ${failures.length} failed, ${skipped.length} blocks skipped, in ${elapsed()}`,
  );
  return failures.length === 0 ? 0 : 1;
}

const cleanup = [];
async function runCleanup() {
  for (const fn of cleanup.splice(0).reverse()) {
    try {
      await fn();
    } catch (error) {
      console.error(`release-check: cleanup: ${error.message}`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await runCleanup();
    process.exit(130);
  });
}
const deadline = setTimeout(async () => {
  console.error(`release-check: over the ${TOTAL_TIMEOUT_MS / 1000} s limit`);
  await runCleanup();
  process.exit(1);
}, TOTAL_TIMEOUT_MS);
let code = 1;
try {
  code = await main(cleanup);
} catch (error) {
  console.error(`\nrelease-check: ${error.stack ?? error}`);
} finally {
  await runCleanup();
  clearTimeout(deadline);
}
process.exit(code);
