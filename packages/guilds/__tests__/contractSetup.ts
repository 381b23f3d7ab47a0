// Every dispatch the community publishes in these tests is held to Discord's event shapes (the recording gateway
// reports each one to the contract check of packages/gateway-server/src/contract); a test that published a
// malformed one fails right after it runs, naming the event and the violations.
import { installContractCheck } from '@concord/gateway-server/contract';
import { afterAll, afterEach } from 'vitest';

const check = installContractCheck();

afterEach(() => {
  check.assertClean();
});

afterAll(() => {
  check.uninstall();
});
