import { appendFileSync } from 'node:fs';
import { type ContractViolation, ContractViolationError } from './ContractViolationError.js';
import { type ContractCheckOptions, createContractCheck } from './createContractCheck.js';
import { setOutgoingCheck } from './outgoingCheck.js';

/** The environment variable that turns the check on in a server process: a file to append violations to (JSON lines). */
export const CONTRACT_CHECK_ENV = 'CONCORD_CONTRACT_CHECK';

export interface InstalledContractCheck {
  /** Violations seen in this process so far. */
  readonly violations: ContractViolation[];
  /** Throws {@link ContractViolationError} when any were seen, then forgets them. */
  assertClean(): void;
  uninstall(): void;
}

/**
 * Installs the contract check in this process. With `file`, each violation is also appended to it as one JSON line,
 * so a test run can collect what its child server processes saw (see examples/chat-server/__tests__/contractSetup.ts).
 */
export function installContractCheck(
  options: { file?: string; dispatches?: ContractCheckOptions['dispatches'] } = {},
): InstalledContractCheck {
  const violations: ContractViolation[] = [];
  setOutgoingCheck(
    createContractCheck({
      dispatches: options.dispatches ?? 'all',
      onViolation(violation) {
        violations.push(violation);
        if (options.file) appendFileSync(options.file, `${JSON.stringify(violation)}\n`);
      },
    }),
  );
  return {
    violations,
    assertClean() {
      if (violations.length === 0) return;
      const seen = violations.splice(0);
      throw new ContractViolationError(seen);
    },
    uninstall: () => setOutgoingCheck(undefined),
  };
}
