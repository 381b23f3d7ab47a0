// `node examples/cluster` (or `npm start -w @concord/example-cluster`): runs src/main.ts through tsx, so there is
// nothing to build here; the packages it imports must be built (dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const missing = ['gateway-server', 'gateway-client', 'protocol'].filter(
  (name) => !existsSync(here(`../../packages/${name}/dist/index.js`)),
);
if (missing.length > 0) {
  console.error(
    `[cluster] build the packages first (${missing.join(', ')} have no dist/):\n` +
      '  npx turbo run build --filter=@concord/example-cluster...',
  );
  process.exit(1);
}
register();
await import('./src/main.ts');
