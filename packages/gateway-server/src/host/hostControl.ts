import type { HostPeer } from './HostBroker.js';

/** Environment variable carrying a worker's {@link WorkerConfig} (JSON), set by the primary at fork. */
export const WORKER_CONFIG_ENV = 'CONCORD_HOST_WORKER';

/** What the primary tells a worker at fork. */
export interface WorkerConfig {
  slot: number;
  id: string;
  socketPath: string;
  port: number;
  host: string;
  resumePort?: number;
  publicHost: string;
  /** The primary's peer id when the host relays through a fleet broker. */
  uplink?: string;
  /** Fleet messages carry history positions (raw relay over a broker with history). */
  history: boolean;
  maxLinkBufferedBytes: number;
  maxFrameBytes: number;
}

/**
 * Control messages between the primary and its workers over the cluster IPC channel: a few per worker lifetime and
 * per membership change, never per broker message (those go over the unix socket links).
 */
export type HostControl =
  | { concordHost: 'linked'; id: string; path: string }
  | { concordHost: 'ready'; id: string; port: number; resumePort?: number }
  | { concordHost: 'peers'; peers: HostPeer[] }
  | { concordHost: 'close' };

export const isHostControl = (message: unknown): message is HostControl =>
  typeof message === 'object' && message !== null && typeof (message as HostControl).concordHost === 'string';
