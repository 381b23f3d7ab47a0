import { join } from 'node:path';
import { interopCache } from './toolchain.js';

/** Where `.ci/services/interop.sh` builds interop/serenity (CARGO_TARGET_DIR outside the repo). */
export const serenityBinary = join(interopCache, 'serenity-target', 'debug', 'concord-interop-serenity');
