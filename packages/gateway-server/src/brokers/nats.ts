export type { BrokerStats, BusBroker } from './BusBroker.js';
export { decodeBrokerMessage, encodeBrokerMessage } from './brokerCodec.js';
export { createNatsBroker, type NatsBrokerOptions } from './createNatsBroker.js';
