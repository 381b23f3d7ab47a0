// Every answer of every test is held to Discord's shape: concordRest reports each one (route template, status, body)
// to the installed contract check (packages/gateway-server/src/contract), and a test whose answers broke the contract
// fails right after it runs, naming the route and the violations.
import { ContractViolationError, installContractCheck } from '@concord/gateway-server/contract';
import { afterAll, afterEach } from 'vitest';
import { knownServiceViolation } from './knownServiceViolations.js';

const check = installContractCheck();

afterEach(() => {
  const seen = check.violations.splice(0);
  const left = seen.filter((v) => !v.violations.every((x) => knownServiceViolation(v.name, x)));
  if (left.length > 0) throw new ContractViolationError(left);
});

afterAll(() => {
  check.uninstall();
});
