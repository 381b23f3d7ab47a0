#!/usr/bin/env node
// The public API of every published package, as text checked into the repository, so a change to it is a visible diff
// in review. One report per package.json `exports` subpath: packages/<pkg>/api/<entry>.api.md, written by API Extractor
// from the built dist/<entry>.d.ts (the same declarations users compile against).
//
//   node scripts/api-report.mjs [pkg…]           write the reports (`npm run api:report`)
//   node scripts/api-report.mjs --check [pkg…]   regenerate them in memory, fail with a diff if any differs
//                                                from the checked-in file (`npm run api:check`, run in CI)
//
// Both modes also fail when a main entry (".") exports more than MAX_MAIN_ENTRY_NAMES names, types included: the rest
// belongs behind subpath entries. Both need built packages (the npm scripts run the turbo build first).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const MAX_MAIN_ENTRY_NAMES = 60;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ts = createRequire(join(root, 'package.json'))('typescript');

const args = process.argv.slice(2);
const check = args.includes('--check');
const only = args.filter((a) => !a.startsWith('--'));

/** The types file a subpath resolves to for `import` (the condition every report is written for). */
function typesOf(target) {
  if (typeof target === 'string') return target.endsWith('.d.ts') ? target : undefined;
  if (target === null || typeof target !== 'object') return undefined;
  if (typeof target.types === 'string') return target.types;
  for (const condition of ['import', 'default']) {
    const found = target[condition] && typesOf(target[condition]);
    if (found) return found;
  }
  return undefined;
}

/** Published packages and their entries: one per distinct types file (two conditions of one subpath count once). */
function packages() {
  const dirs = readdirSync(join(root, 'packages'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, 'packages', d.name, 'package.json')))
    .map((d) => d.name)
    .filter((name) => only.length === 0 || only.includes(name))
    .sort();
  const unknown = only.filter((name) => !dirs.includes(name));
  if (unknown.length > 0) throw new Error(`no package named ${unknown.join(', ')} under packages/`);
  return dirs.flatMap((name) => {
    const dir = join(root, 'packages', name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (manifest.private) return [];
    const entries = new Map();
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      const types = typesOf(target);
      if (types === undefined) continue; // ./package.json and other non-code subpaths
      const file = resolve(dir, types);
      if (!entries.has(file)) entries.set(file, { subpath, file, name: basename(file, '.d.ts') });
    }
    return [{ name, dir, manifest, entries: [...entries.values()] }];
  });
}

/** Runs API Extractor on one entry; returns the report text, or throws with its errors. */
function extract(pkg, entry, scratch) {
  const reportFolder = join(scratch, pkg.name);
  mkdirSync(reportFolder, { recursive: true });
  const configObject = {
    projectFolder: pkg.dir,
    mainEntryPointFilePath: entry.file,
    bundledPackages: [],
    newlineKind: 'lf',
    compiler: {
      // The dist declarations alone (not the package's tsconfig, which would pull in src and tests).
      overrideTsconfig: {
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023', 'DOM'],
          module: 'ESNext',
          moduleResolution: 'Bundler',
          strict: true,
          skipLibCheck: true,
          types: ['node'],
        },
        files: [entry.file],
      },
    },
    apiReport: {
      enabled: true,
      reportFileName: entry.name,
      reportFolder,
      reportTempFolder: join(scratch, 'temp'),
      includeForgottenExports: false,
    },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    messages: {
      compilerMessageReporting: { default: { logLevel: 'error' } },
      // Findings such as ae-forgotten-export (a public signature names an unexported type) go into the report itself,
      // where a reviewer sees them; release tags (@public/@beta) are not used in this repository.
      extractorMessageReporting: {
        default: { logLevel: 'none' },
        'ae-missing-release-tag': { logLevel: 'none', addToApiReportFile: false },
      },
      tsdocMessageReporting: { default: { logLevel: 'none' } },
    },
  };
  const config = ExtractorConfig.prepare({
    configObject,
    configObjectFullPath: join(pkg.dir, 'api-extractor.json'), // not a real file: only anchors relative paths
    packageJsonFullPath: join(pkg.dir, 'package.json'),
  });
  const errors = [];
  const result = Extractor.invoke(config, {
    localBuild: true,
    showVerboseMessages: false,
    messageCallback(message) {
      if (message.logLevel === 'error') errors.push(message.formatMessageWithLocation(pkg.dir));
      message.handled = true; // printed by us, once, below
    },
  });
  if (!result.succeeded || errors.length > 0) {
    throw new Error(`API Extractor failed on ${pkg.name} ${entry.subpath}:\n  ${errors.join('\n  ')}`);
  }
  const text = readFileSync(join(reportFolder, `${entry.name}.api.md`), 'utf8');
  // The header names the import specifier, so each file says which subpath it describes.
  const specifier = entry.subpath === '.' ? pkg.manifest.name : `${pkg.manifest.name}${entry.subpath.slice(1)}`;
  return text.replace(/^## API Report File for ".*"$/m, `## API Report File for "${specifier}"`);
}

/** Every name the entry exports, types included (what `import { … }` can name). */
function exportedNames(file) {
  const program = ts.createProgram([file], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  return moduleSymbol ? checker.getExportsOfModule(moduleSymbol).map((s) => s.name) : [];
}

function diff(expectedPath, actualText, scratch) {
  const actualPath = join(scratch, 'diff', relative(root, expectedPath));
  mkdirSync(dirname(actualPath), { recursive: true });
  writeFileSync(actualPath, actualText);
  const shown = relative(root, expectedPath);
  const r = spawnSync(
    'diff',
    ['-u', '--label', `${shown} (checked in)`, '--label', `${shown} (built)`, expectedPath, actualPath],
    {
      encoding: 'utf8',
    },
  );
  return r.error ? `(no diff tool: compare ${shown} with ${actualPath})` : r.stdout;
}

const scratch = mkdtempSync(join(tmpdir(), 'api-report-'));
const problems = [];
try {
  for (const pkg of packages()) {
    const apiDir = join(pkg.dir, 'api');
    const expectedFiles = new Set();
    for (const entry of pkg.entries) {
      if (!existsSync(entry.file)) {
        problems.push(
          `packages/${pkg.name}: ${relative(pkg.dir, entry.file)} is missing; build first (npx turbo run build)`,
        );
        continue;
      }
      if (entry.subpath === '.') {
        const count = exportedNames(entry.file).length;
        if (count > MAX_MAIN_ENTRY_NAMES) {
          problems.push(
            `packages/${pkg.name}: the main entry exports ${count} names (limit ${MAX_MAIN_ENTRY_NAMES}, types included); move the rest behind subpath entries`,
          );
        }
      }
      const reportPath = join(apiDir, `${entry.name}.api.md`);
      expectedFiles.add(basename(reportPath));
      let text;
      try {
        text = extract(pkg, entry, scratch);
      } catch (error) {
        problems.push(error.message);
        continue;
      }
      if (check) {
        if (!existsSync(reportPath)) {
          problems.push(`${relative(root, reportPath)} is missing: run npm run api:report and commit it`);
        } else if (readFileSync(reportPath, 'utf8') !== text) {
          problems.push(
            `${relative(root, reportPath)} differs from the built API (run npm run api:report and commit it if the change is meant):\n${diff(reportPath, text, scratch)}`,
          );
        }
      } else {
        mkdirSync(apiDir, { recursive: true });
        writeFileSync(reportPath, text);
        console.log(`wrote ${relative(root, reportPath)}`);
      }
    }
    // A report whose entry is gone would otherwise stay behind, describing an API that no longer exists.
    const stale = existsSync(apiDir)
      ? readdirSync(apiDir).filter((f) => f.endsWith('.api.md') && !expectedFiles.has(f))
      : [];
    for (const file of stale) {
      const path = join(apiDir, file);
      if (check) problems.push(`${relative(root, path)} describes no entry in package.json exports: delete it`);
      else {
        rmSync(path);
        console.log(`deleted ${relative(root, path)} (no such entry)`);
      }
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`\napi-report: ${problems.length} problem(s)\n`);
  for (const p of problems) console.error(`- ${p}\n`);
  process.exit(1);
}
console.log(check ? 'api-report: every report matches the built API' : 'api-report: done');
