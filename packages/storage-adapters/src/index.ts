// The main entry: the MessageStore contract, its errors, the in-memory store, the decorators and the content codec.
// Everything needing a driver is a subpath (`/sqlite`, `/postgres`, `/cassandra`, `/redis`), as are `/conformance`
// (needs vitest), `/presence` and `/kit` (the pieces the adapters are built from).
export * from './compression/index.js';
export * from './decorators/index.js';
export * from './errors/index.js';
export { DEFAULT_BUCKET_MS } from './ids.js';
export * from './inMemory/index.js';
export * from './MessageStore.js';
export type { ScanStats } from './ScanStats.js';
export { DEFAULT_LIST_LIMIT, DEFAULT_MAX_CONTENT_LENGTH, MAX_BULK_DELETE, MAX_LIST_LIMIT } from './validation.js';
