// The release check's own tests (no registry, no network): block extraction and markers, the CommonJS conversion.
// Run by `npm run release:check` first: node --test scripts/release-check/releaseCheck.test.mjs
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { extractCodeBlocks } from './extractCodeBlocks.mjs';
import { toCommonJs } from './toCommonJs.mjs';

function readme(text) {
  const dir = mkdtempSync(join(tmpdir(), 'release-check-test-'));
  const file = join(dir, 'README.md');
  writeFileSync(file, text);
  try {
    return extractCodeBlocks(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('runnable blocks, their markers, and prose blocks', () => {
  const blocks = readme(
    [
      '# x',
      '```sh',
      'npm install @concord/x',
      '```',
      '<!-- release-check: prints "a \\"b\\"" -->',
      '',
      '```js',
      'console.log(1);',
      '```',
      '<!-- release-check: skip (needs Redis) -->',
      '```typescript',
      'const a: number = 1;',
      '```',
      '<!-- release-check: pair p server -->',
      '```ts',
      'x',
      '```',
      '```sql',
      'SELECT 1;',
      '```',
    ].join('\n'),
  );
  assert.deepEqual(
    blocks.map((b) => [b.line, b.lang, b.kind, b.marker]),
    [
      [2, 'sh', null, {}],
      [7, 'js', 'js', { prints: 'a "b"' }],
      [11, 'typescript', 'ts', { skip: 'needs Redis' }],
      [15, 'ts', 'ts', { pair: { name: 'p', role: 'server' }, prints: undefined }],
      [18, 'sql', null, {}],
    ],
  );
  assert.equal(blocks[1].code, 'console.log(1);\n');
});

test('a marker that is misspelt, stray, or before a prose block is an error', () => {
  assert.throws(() => readme('<!-- release-check: skp (x) -->\n```js\n1\n```\n'), /bad release-check marker/);
  assert.throws(
    () => readme('<!-- release-check: skip (x) -->\ntext\n```js\n1\n```\n'),
    /not followed by a code block/,
  );
  assert.throws(() => readme('<!-- release-check: skip (x) -->\n```sh\nls\n```\n'), /before a sh block/);
});

test('toCommonJs binds imports as require() does and keeps top-level await working', async () => {
  const source = [
    "import Fastify from 'fastify';",
    "import { a, b as c } from 'm'; // a comment",
    "import * as ns from 'm';",
    "import 'side-effect';",
    '',
    'export {};',
    'const value = await Promise.resolve(a + c);',
    'out.push(value, Fastify(), ns.a);',
  ].join('\n');
  const code = toCommonJs(source);
  assert.doesNotMatch(code, /^\s*(import|export)\s/m);
  const out = [];
  const modules = {
    fastify: Object.assign(() => 'app', { default: 'not used' }),
    m: { a: 1, b: 2 },
    'side-effect': {},
  };
  const loaded = [];
  const require = (name) => {
    loaded.push(name);
    return modules[name];
  };
  new Function('require', 'out', 'process', 'console', code)(require, out, process, console);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(out, [3, 'app', 1]);
  assert.deepEqual(loaded, ['fastify', 'm', 'm', 'side-effect']);
});

test('toCommonJs refuses what it cannot convert', () => {
  assert.throws(() => toCommonJs('export const x = 1;\n'), /does not convert/);
});
