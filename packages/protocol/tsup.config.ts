import { definePackageBuild } from '../../internal/config/tsup.js';

export default definePackageBuild({
  // One entry per subpath. compression = portable (browsers), compression-node = same API with node:zlib fast paths;
  // package.json picks between the two by condition.
  entry: {
    index: 'src/index.ts',
    compression: 'src/compression/index.ts',
    'compression-node': 'src/compression/node.ts',
    json: 'src/json/index.ts',
    etf: 'src/etf/index.ts',
    msgpack: 'src/msgpack/index.ts',
    payloads: 'src/payloads/index.ts',
    permissions: 'src/permissions/index.ts',
  },
  // import.meta.url in the CJS build (napiZstd.ts loads the optional zstd-napi binding with createRequire).
  shims: true,
});
