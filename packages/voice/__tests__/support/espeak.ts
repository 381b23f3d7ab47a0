// eSpeak NG (Debian's `espeak-ng`) as the real text-to-speech backend of the speech tests.
import { execFileSync } from 'node:child_process';

export const ESPEAK = process.env.ESPEAK_BIN ?? 'espeak-ng';

/**
 * Whether espeak-ng runs here. Absent: tests skip with a message locally, and fail under CI=true
 * (.ci/services/espeak.sh installs it there).
 */
export function espeakAvailable(what: string): boolean {
  let ok = false;
  try {
    ok = execFileSync(ESPEAK, ['--version'], { encoding: 'utf8' }).includes('eSpeak NG');
  } catch {
    ok = false;
  }
  if (!ok) {
    if (process.env.CI === 'true') throw new Error(`espeak-ng is required for ${what} (apt-get install espeak-ng)`);
    console.warn(`espeak-ng not found (${ESPEAK}): ${what} skipped (apt-get install espeak-ng)`);
  }
  return ok;
}
