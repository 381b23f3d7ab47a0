import { readFileSync } from 'node:fs';
import type { ContractViolation } from './ContractViolationError.js';

/** The violations server processes appended to `file` (see installContractCheck); none when it does not exist. */
export function readContractViolations(file: string): ContractViolation[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ContractViolation);
}
