// Every server these tests start (they spawn `node dist/main.js`, see startServer.ts, or call createChatServer in
// this process) runs with the wire contract check: each dispatch and REST answer is held to Discord's shape
// (@concord/gateway-server/contract), and violations are appended to a file per test file. A test file fails if its
// servers sent anything off-contract.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContractViolationError, installContractCheck, readContractViolations } from '@concord/gateway-server/contract';
import { afterAll } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'concord-contract-'));
const file = join(dir, 'violations.jsonl');
// Child servers see it in their environment (contractCheck.mjs, preloaded by startServer.ts, installs the check).
process.env.CONCORD_CONTRACT_CHECK = file;
installContractCheck({ file });

afterAll(() => {
  const violations = readContractViolations(file);
  rmSync(dir, { recursive: true, force: true });
  if (violations.length > 0) throw new ContractViolationError(violations);
});
