/**
 * `@concord/gateway-server/host`: one gateway node on every core of a host. `startGatewayHost` (in the primary) forks
 * worker processes that share the gateway port; each calls `joinGatewayHost` and builds its `GatewayServer` on the
 * `HostBroker` it gets, the host-local fan-out that carries broker messages between the workers over unix sockets.
 */
export { FleetRelay, type FleetRelayStats } from './FleetRelay.js';
export { GatewayHost, type GatewayHostEvents, type HostWorkerInfo, startGatewayHost } from './GatewayHost.js';
export {
  HostBroker,
  type HostBrokerOptions,
  type HostBrokerStats,
  type HostMessageCodec,
  type HostPeer,
} from './HostBroker.js';
export { HostError, type HostErrorCode } from './HostError.js';
export { defaultHostOptions, type GatewayHostOptions } from './HostOptions.js';
export { encodeFrame, FrameKind, type FrameKindValue, FrameReader, type HostFrame } from './hostFrames.js';
export { type HostWorker, joinGatewayHost } from './joinGatewayHost.js';
