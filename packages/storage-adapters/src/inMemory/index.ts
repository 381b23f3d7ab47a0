export { createInMemoryStore, type InMemoryStoreOptions } from './createInMemoryStore.js';
