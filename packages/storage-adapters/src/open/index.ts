// `@concord/storage-adapters/open`: every store a chat backend needs (entities, messages, blobs) from one URL, with
// the drivers of its scheme loaded on demand.
export { type OpenedStorage, type OpenStorageOptions, openStorage } from './openStorage.js';
