#!/usr/bin/env node
// `npm run check:structure`: the shape rules of the repository, checked so they cannot erode one commit at a time.
//
//   1. No non-test source file (src/ and bench/ of packages/* and examples/*, internal/*) longer than MAX_LINES,
//      except the files listed in LONG_FILE_EXCEPTIONS with their reason. A file that long is doing several jobs:
//      split it by job.
//   2. No import cycle among those source files, type-only imports included: a cycle means two modules cannot be read,
//      tested or moved one without the other. Relative specifiers are resolved (`./x.js` → `./x.ts`, `./dir` →
//      `./dir/index.ts`); `import`, `import type`, `export … from`, `import('…')` and `import('…').T` all count.
//   3. No code comment (anywhere in the workspaces or scripts/) that sends the reader to a document outside the
//      repository; the documents the code may cite are docs/architecture.md and docs/protocol.md.
//
//   node scripts/check-structure.mjs [--root <dir>]   check (exit 1 and list every violation)
//   node scripts/check-structure.mjs --self-test      run this script's own tests (scripts/check-structure.test.mjs)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ts = createRequire(join(here, '..', 'package.json'))('typescript');

export const MAX_LINES = 600;

/** Files allowed over MAX_LINES, path relative to the repository root → why. Keep this list short and argued. */
export const LONG_FILE_EXCEPTIONS = new Map([
  [
    'packages/storage-adapters/src/conformance/runMessageStoreConformance.ts',
    'the storage conformance suite: one test per clause of the MessageStore contract, meant to be read top to bottom',
  ],
]);

/** Sources (as opposed to the many places a comment may appear) live in these workspace folders. */
const WORKSPACE_GROUPS = ['packages', 'examples', 'internal'];
/** Where comments are searched for citations: every workspace plus the repository's own scripts. */
const COMMENT_ROOTS = ['packages', 'examples', 'internal', 'interop', 'scripts'];
const CODE_EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs']);
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.turbo', 'coverage', '.git', 'target', 'build', '__pycache__']);
// Built from parts, so this file never matches itself.
const OUTSIDE_DOCUMENT = new RegExp(['\\.\\./shared', 'PROTOCOL\\.md', 'DESIGN\\.md'].join('|'));

const toPosix = (path) => path.split(sep).join('/');
const isTestPath = (rel) => /(^|\/)__tests__\//.test(rel) || /\.(test|spec|test-d)\.[cm]?[jt]sx?$/.test(rel);

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(join(dir, entry.name), out);
    } else if (CODE_EXTENSIONS.has(extname(entry.name)) && !entry.name.endsWith('.d.ts')) {
      out.push(join(dir, entry.name));
    }
  }
  return out;
}

/**
 * Non-test source files: the src and bench folders of every package and example, and everything in internal/*
 * (internal kits are all source). Benchmarks count: they are read, changed and reviewed like the code they measure.
 */
function sourceFiles(root) {
  const files = [];
  for (const group of WORKSPACE_GROUPS) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const pkg of readdirSync(groupDir, { withFileTypes: true })) {
      if (!pkg.isDirectory()) continue;
      const pkgDir = join(groupDir, pkg.name);
      if (group === 'internal') files.push(...walk(pkgDir));
      else
        for (const dir of ['src', 'bench']) if (existsSync(join(pkgDir, dir))) files.push(...walk(join(pkgDir, dir)));
    }
  }
  return files.filter((file) => !isTestPath(toPosix(relative(root, file)))).sort();
}

function lineCount(text) {
  if (text.length === 0) return 0;
  const lines = text.split('\n').length;
  return text.endsWith('\n') ? lines - 1 : lines;
}

/** Every module specifier the file names, with the line it is on. */
function specifiersOf(sourceFile) {
  const found = [];
  const add = (literal) => {
    if (literal && ts.isStringLiteralLike(literal)) {
      const { line } = sourceFile.getLineAndCharacterOfPosition(literal.getStart(sourceFile));
      found.push({ specifier: literal.text, line: line + 1 });
    }
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0]);
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

/** `./x.js` → the `x.ts` on disk (or `.tsx`, `.mts`, `/index.ts`…); undefined when it is not one of `known`. */
function resolveRelative(fromFile, specifier, known) {
  const base = resolve(dirname(fromFile), specifier);
  const stem = base.replace(/\.(c|m)?jsx?$/, '');
  const candidates = [base];
  for (const ext of ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs']) candidates.push(stem + ext, base + ext);
  for (const ext of ['.ts', '.tsx', '.js']) candidates.push(join(base, `index${ext}`));
  return candidates.find((candidate) => known.has(candidate));
}

/** Strongly connected components (Tarjan), each with more than one file or a file importing itself. */
function cyclicComponents(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const strongConnect = (node) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        strongConnect(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), index.get(next)));
    }
    if (low.get(node) === index.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.has(node)) components.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) strongConnect(node);
  return components;
}

/** One concrete cycle through a component, starting at its first file (shortest path back, by breadth-first search). */
function cycleThrough(component, graph) {
  const members = new Set(component);
  const start = component[0];
  const previous = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at = node; at !== start; at = previous.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

/** Text of every comment in a file, with its line (the parser's tokens, so strings and regexes are never mistaken). */
function commentsOf(sourceFile) {
  const text = sourceFile.text;
  const comments = [];
  const seen = new Set();
  const visit = (node) => {
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return;
    const children = node.getChildren(sourceFile);
    if (children.length === 0 || node.kind === ts.SyntaxKind.EndOfFileToken) {
      // The trivia before a token: comments on the previous token's line ("trailing"), then the lines below it.
      const start = node.getFullStart();
      const ranges = [
        ...(ts.getTrailingCommentRanges(text, start) ?? []),
        ...(ts.getLeadingCommentRanges(text, start) ?? []),
      ];
      for (const range of ranges) {
        if (seen.has(range.pos)) continue;
        seen.add(range.pos);
        comments.push({ text: text.slice(range.pos, range.end), pos: range.pos });
      }
    }
    for (const child of children) visit(child);
  };
  visit(sourceFile);
  return comments;
}

function parse(file, text) {
  const kind = /\.[cm]?tsx?$/.test(file) ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : kind);
}

/**
 * Checks the tree under `root`. Returns the violations by kind (paths relative to `root`, `/`-separated); all empty
 * means the tree passes.
 */
export function checkStructure(root, { maxLines = MAX_LINES, exceptions = LONG_FILE_EXCEPTIONS } = {}) {
  const rel = (file) => toPosix(relative(root, file));
  const sources = sourceFiles(root);
  const known = new Set(sources);
  const longFiles = [];
  const graph = new Map();
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    const lines = lineCount(text);
    if (lines > maxLines && !exceptions.has(rel(file))) longFiles.push({ file: rel(file), lines });
    const edges = new Set();
    for (const { specifier } of specifiersOf(parse(file, text))) {
      if (!specifier.startsWith('.')) continue;
      const target = resolveRelative(file, specifier, known);
      if (target) edges.add(target);
    }
    graph.set(file, edges);
  }
  const cycles = cyclicComponents(graph).map((component) => ({
    files: component.map(rel),
    path: cycleThrough(component, graph).map(rel),
  }));

  const citations = [];
  for (const group of COMMENT_ROOTS) {
    for (const file of walk(join(root, group)).sort()) {
      const text = readFileSync(file, 'utf8');
      if (!OUTSIDE_DOCUMENT.test(text)) continue; // the cheap test first: parsing every file is the slow part
      const sourceFile = parse(file, text);
      for (const comment of commentsOf(sourceFile)) {
        const match = OUTSIDE_DOCUMENT.exec(comment.text);
        if (!match) continue;
        const at = comment.pos + match.index;
        const { line } = sourceFile.getLineAndCharacterOfPosition(at);
        const lineText = text.split('\n')[line].trim();
        citations.push({ file: rel(file), line: line + 1, cites: match[0], text: lineText });
      }
    }
  }
  return { longFiles, cycles, citations };
}

/** The report a person reads; empty string when there is nothing to report. */
export function formatViolations({ longFiles, cycles, citations }, { maxLines = MAX_LINES } = {}) {
  const out = [];
  if (longFiles.length > 0) {
    out.push(`Files over ${maxLines} lines (split by job, or add an argued exception in scripts/check-structure.mjs):`);
    for (const { file, lines } of longFiles) out.push(`  ${file}: ${lines} lines`);
  }
  if (cycles.length > 0) {
    out.push('Import cycles (type-only imports count):');
    for (const { files, path } of cycles) {
      out.push(`  ${path.join(' → ')}`);
      if (files.length > path.length - 1)
        out.push(`    (${files.length} files in this cycle group: ${files.join(', ')})`);
    }
  }
  if (citations.length > 0) {
    out.push('Comments citing a document outside the repository (cite docs/architecture.md or docs/protocol.md):');
    for (const { file, line, text } of citations) out.push(`  ${file}:${line}: ${text}`);
  }
  return out.join('\n');
}

function main(argv) {
  if (argv.includes('--self-test')) {
    const r = spawnSync(process.execPath, ['--test', '--test-reporter=dot', join(here, 'check-structure.test.mjs')], {
      stdio: 'inherit',
    });
    process.exit(r.status ?? 1);
  }
  const rootFlag = argv.indexOf('--root');
  const root = rootFlag >= 0 ? resolve(argv[rootFlag + 1]) : resolve(here, '..');
  const result = checkStructure(root);
  const report = formatViolations(result);
  const count = result.longFiles.length + result.cycles.length + result.citations.length;
  if (count > 0) {
    console.error(`check:structure: ${count} violation(s)\n${report}`);
    process.exit(1);
  }
  console.log('check:structure: no file over the limit, no import cycle, no comment citing outside the repository');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
