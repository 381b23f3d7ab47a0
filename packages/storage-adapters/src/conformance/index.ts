export * from './fixtures.js';
export * from './runMessageStoreConformance.js';
export * from './runPresenceStoreConformance.js';
