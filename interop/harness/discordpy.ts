import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { interopCache } from './toolchain.js';

/**
 * The venvs `.ci/services/interop.sh` fills from interop/discord.py/: `venv` (requirements.txt: discord.py asks for
 * zlib-stream) and `venv-zstd` (requirements-zstd.txt adds `zstandard`: discord.py asks for zstd-stream).
 */
export const discordPyPython = join(interopCache, 'venv', 'bin', 'python');
export const discordPyZstdPython = join(interopCache, 'venv-zstd', 'bin', 'python');
export const discordPyDir = fileURLToPath(new URL('../discord.py/', import.meta.url));
