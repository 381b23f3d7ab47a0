export * from './backfill.js';
export * from './createMigratingStore.js';
export * from './withCoalescing.js';
