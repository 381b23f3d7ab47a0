// The gateway servers these tests run are held to Discord's wire contract (@concord/gateway-server/contract): each
// dispatch the gateway builds itself must match the documented shape. Payloads the tests make up and pass to
// dispatchTo* are only checked for `undefined` (`dispatches: 'gateway'`).
import { installContractCheck } from '@concord/gateway-server/contract';
import { afterAll, afterEach } from 'vitest';

const check = installContractCheck({ dispatches: 'gateway' });
afterEach(() => check.assertClean());
afterAll(() => check.assertClean());
