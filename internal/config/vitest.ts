import { defineProject } from 'vitest/config';

/**
 * What differs between packages' test projects. The root vitest.config.ts runs every package as one project, so each
 * package only names itself and says what its tests need.
 *
 * Config files import this file by a relative path (`../../internal/config/vitest.js`), like the tsup factory.
 */
export interface PackageTestOptions {
  /** Project name, as given to `npx vitest run --project <name>`. */
  name: string;
  /** Files run before each test file, in its worker (e.g. the wire-contract checks). Paths relative to the package. */
  setupFiles?: string[];
  /** Files run once before the project's tests, in the main process (e.g. building or starting a server). */
  globalSetup?: string[];
  /** Per-test timeout in ms (vitest's default is 5 s); set it where a test spawns processes or runs long properties. */
  testTimeout?: number;
  /** Per-hook timeout in ms (vitest's default is 10 s). */
  hookTimeout?: number;
  /** Also type-check `__tests__/types/**\/*.test-d.ts` (type tests pinning public types) as part of the run. */
  typecheck?: boolean;
}

/** A vitest project over the package's `__tests__/**\/*.test.ts`, with the shared settings. */
export function definePackageTests(options: PackageTestOptions): ReturnType<typeof defineProject> {
  const { name, setupFiles, globalSetup, testTimeout, hookTimeout, typecheck } = options;
  return defineProject({
    test: {
      name,
      include: ['__tests__/**/*.test.ts'],
      ...(setupFiles !== undefined && { setupFiles }),
      ...(globalSetup !== undefined && { globalSetup }),
      ...(testTimeout !== undefined && { testTimeout }),
      ...(hookTimeout !== undefined && { hookTimeout }),
      // Type tests are compiled, never executed: vitest runs tsc over them and reports failed expectTypeOf as failures.
      ...(typecheck === true && { typecheck: { enabled: true, include: ['__tests__/types/**/*.test-d.ts'] } }),
    },
  });
}
