export * from './StorageError.js';
