import { join } from 'node:path';
import { interopCache } from './toolchain.js';

/** Where `.ci/services/interop.sh` builds interop/twilight (CARGO_TARGET_DIR outside the repo), one binary per compression. */
export function twilightBinary(compression: 'zstd' | 'zlib'): string {
  return join(interopCache, 'twilight-target', 'debug', `concord-interop-twilight-${compression}`);
}
