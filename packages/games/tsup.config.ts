import { definePackageBuild } from '../../internal/config/tsup.js';

export default definePackageBuild({
  entry: { index: 'src/index.ts', client: 'src/client/index.ts' },
});
