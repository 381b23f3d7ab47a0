import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where `.ci/services/interop.sh` puts what it installs and builds: outside the repo, so a fresh clone (CI) reuses it
 * and nothing generated lands in the tree. Same default as the script; INTEROP_CACHE overrides both.
 */
export const interopCache = process.env.INTEROP_CACHE ?? join(homedir(), '.cache', 'concord-interop');

export class ToolchainMissingError extends Error {
  readonly code = 'INTEROP_TOOLCHAIN_MISSING';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ToolchainMissingError';
  }
}

/**
 * Tells whether a library's installed/built artefact is there. Locally a missing one skips the library's test with a
 * message saying how to get it; under CI=true it is an error, so CI can never pass by skipping a library.
 */
export function requireArtefact(library: string, path: string): boolean {
  if (existsSync(path)) return true;
  const message = `${library}: ${path} is missing. Install/build it with: bash .ci/services/interop.sh start`;
  if (process.env.CI === 'true') throw new ToolchainMissingError(`[CI] ${message}`);
  console.warn(`[skip] ${message}`);
  return false;
}
