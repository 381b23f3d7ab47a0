export type { BrokerStats, BusBroker, RawBrokerListener, RawBusBroker } from './BusBroker.js';
export {
  type BrokerWireFormat,
  decodeBrokerMessage,
  decodeBrokerPayload,
  encodeBrokerMessage,
  encodeBrokerPayload,
} from './brokerCodec.js';
export { createNatsBroker, type NatsBrokerOptions } from './createNatsBroker.js';
