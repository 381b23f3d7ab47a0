import type { SchemaViolation } from './validateSchema.js';

/** One outgoing object that broke Discord's shape. */
export interface ContractViolation {
  kind: 'dispatch' | 'rest';
  /** Event name, or route template. */
  name: string;
  violations: SchemaViolation[];
}

/** Thrown by a contract check in `throw` mode, and by test setups that found violations. */
export class ContractViolationError extends Error {
  readonly code = 'CONTRACT_VIOLATION';
  readonly violations: ContractViolation[];

  constructor(violations: ContractViolation[], options?: { cause?: unknown }) {
    super(
      `${violations.length} object(s) sent do not match Discord's shape:\n${violations
        .slice(0, 10)
        .map((v) => `  ${v.kind} ${v.name}: ${v.violations.map((x) => `${x.path} ${x.message}`).join('; ')}`)
        .join('\n')}`,
      options,
    );
    this.name = 'ContractViolationError';
    this.violations = violations;
  }
}
