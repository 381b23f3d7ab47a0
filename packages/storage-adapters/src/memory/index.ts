export * from './MemoryMessageStore.js';
