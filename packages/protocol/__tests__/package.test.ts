import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Checks the built package (dist/) the way users load it: ESM import, CJS require, and the browser condition.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = existsSync(join(root, 'dist', 'index.js')) && existsSync(join(root, 'dist', 'node.cjs'));

if (!built && process.env.CI === 'true') {
  throw new Error('dist/ is missing: run `npm run build -w @concord/protocol` before the tests');
}
if (!built) console.info('package tests skipped: dist/ missing (run `npm run build -w @concord/protocol`)');

function run(args: string[]): string {
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout.trim();
}

// Exercises an entry end to end: compress and inflate a payload with a bigint, read ETF and close-code exports.
const probe = (p: string) =>
  `{ const d = ${p}.createZlibStreamDeflater(); const i = ${p}.createZlibStreamInflater(); ` +
  `const f = d.compress(${p}.encodeJson({ op: 11, d: 1n })); ` +
  `console.log(${p}.compressionBackend, typeof ${p}.etfEncoding.encode, JSON.stringify(${p}.decodeJson(i.push(f))), ${p}.closeCodeInfo(4004).fatal); }`;

describe.skipIf(!built)('built package', () => {
  it('import (ESM) and require (CJS) resolve the node entry in Node; ./portable the portable one', () => {
    const script = [
      "import * as esm from '@concord/protocol';",
      "import * as portable from '@concord/protocol/portable';",
      "import { createRequire } from 'node:module';",
      "const cjs = createRequire(import.meta.url)('@concord/protocol');",
      probe('esm'),
      probe('cjs'),
      probe('portable'),
    ].join('\n');
    expect(run(['--input-type=module', '-e', script]).split('\n')).toEqual([
      'node:zlib function {"op":11,"d":"1"} true',
      'node:zlib function {"op":11,"d":"1"} true',
      'portable function {"op":11,"d":"1"} true',
    ]);
  }, 30_000);

  it('the browser condition gives the portable entry', () => {
    const script = `const p = require('@concord/protocol'); ${probe('p')}`;
    expect(run(['--conditions=browser', '-e', script])).toBe('portable function {"op":11,"d":"1"} true');
  }, 30_000);

  it('the portable build does not import node: modules', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = readFileSync(join(root, 'dist', file), 'utf8');
      expect(code, file).not.toMatch(/["']node:|require\(["'](zlib|fs|buffer)["']\)/);
      for (const [, chunk] of code.matchAll(/from\s*["']\.\/([^"']+)["']/g)) visit(chunk!);
    };
    visit('index.js');
    visit('index.cjs');
  });
});
