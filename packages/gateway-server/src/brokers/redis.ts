export type { BrokerStats, BusBroker } from './BusBroker.js';
export { decodeBrokerMessage, encodeBrokerMessage } from './brokerCodec.js';
export { createRedisBroker, type RedisBrokerOptions } from './createRedisBroker.js';
