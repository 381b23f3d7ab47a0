// Tests of scripts/check-structure.mjs on planted trees (`node scripts/check-structure.mjs --self-test`). Plain node:test:
// the root vitest projects cover the workspaces only, and this script is no workspace.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkStructure, formatViolations } from './check-structure.mjs';

const roots = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A repository in a temp dir: path → content. */
function tree(files) {
  const root = mkdtempSync(join(tmpdir(), 'check-structure-'));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const lines = (n) => `${Array.from({ length: n }, (_, i) => `export const v${i} = ${i};`).join('\n')}\n`;
// Built from parts so this file holds no citation of its own for the real check to find.
const outside = ['PROTOCOL', 'md'].join('.');
const design = ['DESIGN', 'md'].join('.');
const shared = ['..', 'shared'].join('/');

describe('long files', () => {
  it('reports a source file over the limit, and not one at the limit, a test, or a listed exception', () => {
    const root = tree({
      'packages/p/src/long.ts': lines(601),
      'packages/p/src/atLimit.ts': lines(600),
      'packages/p/src/__tests__/long.test.ts': lines(900),
      'packages/p/__tests__/long.test.ts': lines(900),
      'packages/p/src/allowed.ts': lines(700),
      'examples/e/src/long.js': lines(650),
      'internal/kit/helper.ts': lines(610),
      'interop/harness/long.ts': lines(900),
    });
    const { longFiles } = checkStructure(root, {
      exceptions: new Map([['packages/p/src/allowed.ts', 'planted exception']]),
    });
    assert.deepEqual(longFiles, [
      { file: 'examples/e/src/long.js', lines: 650 },
      { file: 'internal/kit/helper.ts', lines: 610 },
      { file: 'packages/p/src/long.ts', lines: 601 },
    ]);
  });
});

describe('import cycles', () => {
  it('finds a cycle made of a type-only import and a re-export, and prints its path', () => {
    const root = tree({
      'packages/p/src/index.ts': "export { A } from './a.js';\n",
      'packages/p/src/a.ts': "import type { B } from './b.js';\nexport class A { b?: B }\n",
      'packages/p/src/b.ts': "export { c } from './dir/index.js';\nexport interface B { n: number }\n",
      'packages/p/src/dir/index.ts': "import { A } from '../a.js';\nexport const c = () => new A();\n",
    });
    const { cycles } = checkStructure(root);
    assert.equal(cycles.length, 1);
    assert.deepEqual(cycles[0].path, [
      'packages/p/src/a.ts',
      'packages/p/src/b.ts',
      'packages/p/src/dir/index.ts',
      'packages/p/src/a.ts',
    ]);
    assert.match(
      formatViolations({ longFiles: [], cycles, citations: [] }),
      /packages\/p\/src\/a\.ts → packages\/p\/src\/b\.ts → packages\/p\/src\/dir\/index\.ts → packages\/p\/src\/a\.ts/,
    );
  });

  it('resolves directory imports and import("…") types, and reports a self-import', () => {
    const root = tree({
      'packages/p/src/x.ts': "export type Y = import('./sub').Z;\nexport const x = 1;\n",
      'packages/p/src/sub/index.ts': "export type Z = typeof import('../x.js').x;\n",
      'packages/p/src/self.ts': "import './self.js';\n",
    });
    const paths = checkStructure(root).cycles.map((c) => c.path.join(' '));
    assert.deepEqual(paths.sort(), [
      'packages/p/src/self.ts packages/p/src/self.ts',
      'packages/p/src/sub/index.ts packages/p/src/x.ts packages/p/src/sub/index.ts',
    ]);
  });

  it('passes an acyclic graph, ignores packages and tests, and keeps separate cycles apart', () => {
    const root = tree({
      'packages/p/src/a.ts': "import { b } from './b.js';\nimport { z } from 'zod';\nexport const a = b + z;\n",
      'packages/p/src/b.ts': "import type { T } from '@scope/pkg';\nexport const b = 1;\n",
      'packages/p/__tests__/a.test.ts': "import { a } from '../src/a.js';\n",
      'packages/p/src/b.test.ts': "import { a } from './a.js';\nimport './b.test.js';\n",
    });
    assert.deepEqual(checkStructure(root).cycles, []);
    const two = tree({
      'packages/p/src/a.ts': "import './b.js';\n",
      'packages/p/src/b.ts': "import './a.js';\n",
      'examples/e/src/c.ts': "export * from './d.js';\n",
      'examples/e/src/d.ts': "export * from './c.js';\n",
    });
    assert.equal(checkStructure(two).cycles.length, 2);
  });
});

describe('citations of documents outside the repository', () => {
  it('flags comments (line, block, JSDoc) but not strings, in workspaces and scripts', () => {
    const root = tree({
      'packages/p/src/a.ts': `// see ${outside} §3\nexport const a = '${outside}';\n`,
      'packages/p/__tests__/b.test.ts': `/**\n * Mirrors ${shared}/wire.ts\n */\nexport const b = \`${design}\`;\n`,
      'interop/harness/c.ts': `const re = /${design.replace('.', '\\.')}/; /* ${design} */\nexport { re };\n`,
      'scripts/d.mjs': `export const d = 1; // cites docs/protocol.md, which is in the repository\n`,
    });
    const found = checkStructure(root).citations.map(({ file, line, cites }) => `${file}:${line} ${cites}`);
    assert.deepEqual(found.sort(), [
      `interop/harness/c.ts:1 ${design}`,
      'packages/p/__tests__/b.test.ts:2 ../shared',
      `packages/p/src/a.ts:1 ${outside}`,
    ]);
  });
});

describe('a clean tree', () => {
  it('has nothing to report', () => {
    const root = tree({ 'packages/p/src/index.ts': "export * from './a.js';\n", 'packages/p/src/a.ts': lines(10) });
    const result = checkStructure(root);
    assert.deepEqual(result, { longFiles: [], cycles: [], citations: [] });
    assert.equal(formatViolations(result), '');
  });
});
