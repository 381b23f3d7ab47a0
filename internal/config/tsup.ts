import { defineConfig, type Options } from 'tsup';

/**
 * What differs between packages' builds. Everything else (formats, types, targets) is decided once in
 * {@link definePackageBuild}, so the packages cannot drift apart.
 *
 * Package config files import this file by a relative path (`../../internal/config/tsup.js`): tsup bundles its config
 * with esbuild and leaves bare imports to Node, which (Node 20) cannot load a workspace package's `.ts` source.
 */
export interface PackageBuildOptions {
  /**
   * Entry points, name → source file. Each name becomes `dist/<name>.{js,cjs,d.ts,d.cts}` and should be a subpath in
   * the package.json `exports` map (`index` is the main entry, `.`).
   */
  entry: Record<string, string>;
  /** Dependencies resolved from the user's node_modules at run time, never bundled (optional peers such as drivers). */
  external?: string[];
  /** Workspace-internal packages bundled into dist, so they are no runtime dependency (`@concord/redis-kit`). */
  noExternal?: string[];
  /** Shim `import.meta.url` in the CJS build, for sources that call `createRequire(import.meta.url)`. */
  shims?: boolean;
}

/** The tsup config every published package builds with: ESM + CJS, each with its own `.d.ts`, and source maps. */
export function definePackageBuild(options: PackageBuildOptions): ReturnType<typeof defineConfig> {
  const config: Options = {
    entry: options.entry,
    // Dual build: `import` and `require` conditions in package.json point at .js and .cjs respectively.
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    // Shared chunks in the CJS build too (tsup splits only ESM by default): without them every subpath's .cjs carries
    // its own copy of the package's error classes, and an error thrown through `require('<pkg>/<subpath>')` fails
    // `instanceof` against the class from the main entry (packages/protocol/__tests__/package.test.ts checks this).
    splitting: true,
    // Node 20 and current browsers run ES2022 natively; a lower target only adds helpers and slows hot paths.
    target: 'es2022',
    // Keep `node:` specifiers as written: stripping them breaks resolvers that only know the prefixed builtins.
    removeNodeProtocol: false,
  };
  if (options.external !== undefined) config.external = options.external;
  if (options.noExternal !== undefined) config.noExternal = options.noExternal;
  if (options.shims !== undefined) config.shims = options.shims;
  return defineConfig(config);
}
