// `@concord/voice/browser` is bundled into pages as it is: its built files (the entry and every chunk it imports) must
// not import a Node module, nor anything but the two portable dependencies. Its copy of the position opcode must
// stay the server's.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLIENT_POSITION_OP as BROWSER_CLIENT_POSITION_OP } from '../src/browser/index.js';
import { CLIENT_POSITION_OP } from '../src/spatial/clientPosition.js';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

/** The built files an ESM entry loads (itself and its relative imports, transitively). */
function closure(entry: string): Map<string, string> {
  const files = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    const code = readFileSync(file, 'utf8');
    files.set(file, code);
    for (const [, spec] of code.matchAll(/(?:from|import)\s*["'](\.[^"']+)["']/g)) visit(join(dirname(file), spec!));
  };
  visit(entry);
  return files;
}

describe('@concord/voice/browser', () => {
  it.skipIf(!existsSync(join(dist, 'browser.js')))('imports no Node module (built ESM entry and its chunks)', () => {
    const files = closure(join(dist, 'browser.js'));
    const bare = new Set<string>();
    for (const [file, code] of files) {
      expect(code, file).not.toMatch(/["']node:|require\(/);
      for (const [, spec] of code.matchAll(/(?:from|import)\s*["']([^."'][^"']*)["']/g)) bare.add(spec!);
    }
    expect([...bare].sort()).toEqual(['@concord/protocol', 'eventemitter3']);
  });

  it('sends client positions with the opcode the server reads (one constant, in a file without imports)', () => {
    expect(BROWSER_CLIENT_POSITION_OP).toBe(CLIENT_POSITION_OP);
  });
});
