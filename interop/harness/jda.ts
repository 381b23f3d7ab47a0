import { join } from 'node:path';
import { interopCache } from './toolchain.js';

/** Where `.ci/services/interop.sh` builds interop/jda (the pom's build directory, outside the repo). */
export const jdaTarget = join(interopCache, 'jda-target');
export const jdaClasses = join(jdaTarget, 'classes', 'concord', 'interop', 'JdaBot.class');

export function jdaCommand(): { command: string; args: string[] } {
  return {
    command: 'java',
    args: ['-cp', `${join(jdaTarget, 'classes')}:${join(jdaTarget, 'dependency', '*')}`, 'concord.interop.JdaBot'],
  };
}
