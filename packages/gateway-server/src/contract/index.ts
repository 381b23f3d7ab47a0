/**
 * The wire contract check (test-only): outgoing dispatches and REST answers against Discord's shapes. Nothing here
 * loads unless imported; servers import it only when `CONCORD_CONTRACT_CHECK` is set.
 */
export { type ContractViolation, ContractViolationError } from './ContractViolationError.js';
export { type ContractCheckOptions, createContractCheck } from './createContractCheck.js';
export { CONTRACT_CHECK_ENV, type InstalledContractCheck, installContractCheck } from './installContractCheck.js';
export { type OutgoingCheck, outgoingCheck, setOutgoingCheck } from './outgoingCheck.js';
export { readContractViolations } from './readContractViolations.js';
export { type Schema, SchemaChecker, type SchemaViolation } from './validateSchema.js';
