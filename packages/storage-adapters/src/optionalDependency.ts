import { createRequire } from 'node:module';
import { MissingDependencyError } from './errors/index.js';

/** Loads a module by name the way Node's `require` does, from this package's location. */
export type ModuleLoader = (name: string) => unknown;

let localRequire: ModuleLoader | undefined;

function requireFromHere(name: string): unknown {
  localRequire ??= createRequire(import.meta.url);
  return localRequire(name);
}

/**
 * Whether `error` is the resolver saying that `name` itself cannot be found (CommonJS `MODULE_NOT_FOUND` or ESM
 * `ERR_MODULE_NOT_FOUND`), as opposed to the package failing to load for another reason (a native binding built for
 * another Node version, a module it needs that is missing), which is reported as it is.
 */
export function isMissingModule(error: unknown, name: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') return false;
  const firstLine = error.message.split('\n', 1)[0] ?? '';
  return firstLine.includes(`'${name}'`) || firstLine.includes(`'${name}/`);
}

/**
 * An optional dependency (a database driver), loaded when a store first needs it rather than when its subpath is
 * imported. Absent, it is a {@link MissingDependencyError} naming the package to install, with the resolver's error as
 * `cause`. `load` replaces Node's resolver (tests).
 */
export function requireOptional<T>(name: string, feature: string, load: ModuleLoader = requireFromHere): T {
  try {
    return load(name) as T;
  } catch (error) {
    if (isMissingModule(error, name)) throw new MissingDependencyError(name, feature, { cause: error });
    throw error;
  }
}
