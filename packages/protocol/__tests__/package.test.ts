import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Checks the built package (dist/) the way users load it: ESM import, CJS require, and the browser condition.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = existsSync(join(root, 'dist', 'index.js')) && existsSync(join(root, 'dist', 'compression-node.cjs'));

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

// Exercises the entries end to end: compress and inflate a payload with a bigint (/compression, /json), read ETF
// (/etf) and close-code (main) exports, and check that an error thrown by one subpath is the main entry's
// ProtocolError (one shared copy of the class, in the CJS build too). `p` is { main, json, etf, compression }.
const probe = (p: string) =>
  `{ const c = ${p}.compression; const d = c.createZlibStreamDeflater(); const i = c.createZlibStreamInflater(); ` +
  `const f = d.compress(${p}.json.encodeJson({ op: 11, d: 1n })); let shared = false; ` +
  `try { c.inflatePayload(new Uint8Array([1, 2, 3])); } catch (error) { shared = error instanceof ${p}.main.ProtocolError; } ` +
  `console.log(c.compressionBackend, typeof ${p}.etf.etfEncoding.encode, JSON.stringify(${p}.json.decodeJson(i.push(f))), ` +
  `${p}.main.closeCodeInfo(4004).fatal, shared); }`;

const requireAll = (compression: string) =>
  `{ main: require('@concord/protocol'), json: require('@concord/protocol/json'), ` +
  `etf: require('@concord/protocol/etf'), compression: require('${compression}') }`;

describe.skipIf(!built)('built package', () => {
  it('import (ESM) and require (CJS) resolve /compression to the node build in Node; /compression/portable to the portable one', () => {
    const script = [
      "import * as main from '@concord/protocol';",
      "import * as json from '@concord/protocol/json';",
      "import * as etf from '@concord/protocol/etf';",
      "import * as compression from '@concord/protocol/compression';",
      "import * as portable from '@concord/protocol/compression/portable';",
      "import { createRequire } from 'node:module';",
      'const require = createRequire(import.meta.url);',
      'const esm = { main, json, etf, compression };',
      `const cjs = ${requireAll('@concord/protocol/compression')};`,
      'const port = { main, json, etf, compression: portable };',
      probe('esm'),
      probe('cjs'),
      probe('port'),
    ].join('\n');
    expect(run(['--input-type=module', '-e', script]).split('\n')).toEqual([
      'node:zlib function {"op":11,"d":"1"} true true',
      'node:zlib function {"op":11,"d":"1"} true true',
      'portable function {"op":11,"d":"1"} true true',
    ]);
  }, 30_000);

  it('the browser condition gives the portable /compression', () => {
    const script = `const p = ${requireAll('@concord/protocol/compression')}; ${probe('p')}`;
    expect(run(['--conditions=browser', '-e', script])).toBe('portable function {"op":11,"d":"1"} true true');
  }, 30_000);

  it('the portable build does not import node: modules', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = readFileSync(join(root, 'dist', file), 'utf8');
      expect(code, file).not.toMatch(/["']node:|require\(["'](zlib|fs|buffer)["']\)/);
      // Follow shared chunks: `from "./chunk…"` in ESM, `require("./chunk…")` in CJS.
      for (const [, chunk] of code.matchAll(/(?:from\s*|require\()["']\.\/([^"']+)["']/g)) visit(chunk!);
    };
    // Every entry but compression-node is portable.
    for (const entry of ['index', 'compression', 'json', 'etf', 'msgpack', 'payloads']) {
      visit(`${entry}.js`);
      visit(`${entry}.cjs`);
    }
  });
});
