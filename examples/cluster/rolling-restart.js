// `npm run rolling-restart -w @concord/example-cluster`: drains and restarts each node of a running cluster in turn.
import { register } from 'tsx/esm/api';

register();
await import('./src/rollingRestartCli.ts');
