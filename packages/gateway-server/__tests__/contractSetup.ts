// Every test of this package runs with the wire contract check (src/contract): each dispatch the gateway builds
// itself must match Discord's documented shape. Payloads the tests make up and pass to dispatchTo* are not held to
// it (`dispatches: 'gateway'`), only checked for `undefined`.
import { afterAll, afterEach } from 'vitest';
import { installContractCheck } from '../src/contract/index.js';

const check = installContractCheck({ dispatches: 'gateway' });
afterEach(() => check.assertClean());
afterAll(() => check.assertClean());
