export * from './fixtures.js';
export * from './runEntityStoreConformance.js';
export * from './runMessageStoreConformance.js';
export * from './runPresenceStoreConformance.js';
