// CMU PocketSphinx (Debian's `pocketsphinx` and `pocketsphinx-en-us`) as the real speech-to-text backend of the tests.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const POCKETSPHINX = process.env.POCKETSPHINX_BIN ?? '/usr/bin/pocketsphinx_continuous';
const MODEL = '/usr/share/pocketsphinx/model/en-us/en-us';

/**
 * Whether pocketsphinx_continuous and its US English model are here. Absent: tests skip with a message locally, and
 * fail under CI=true (.ci/services/pocketsphinx.sh installs them there).
 */
export function pocketsphinxAvailable(what: string): boolean {
  let ok = false;
  try {
    ok = existsSync(POCKETSPHINX) && existsSync(MODEL);
    if (ok) execFileSync(POCKETSPHINX, ['-logfn', '/dev/null', '-infile', '/dev/null'], { stdio: 'ignore' });
  } catch {
    ok = false;
  }
  if (!ok) {
    const hint = 'apt-get install pocketsphinx pocketsphinx-en-us';
    if (process.env.CI === 'true') throw new Error(`pocketsphinx is required for ${what} (${hint})`);
    console.warn(`pocketsphinx not found (${POCKETSPHINX}): ${what} skipped (${hint})`);
  }
  return ok;
}
