import { VoiceClusterError } from './VoiceClusterError.js';

/** What a voice node reports on its health endpoint: who it is, where clients reach it, and how busy it is. */
export interface VoiceNodeStatus {
  /** Format version (1). */
  v: 1;
  /** Stable node id (the same across restarts of the node). */
  id: string;
  /** Random per process start: a new value means the node restarted and lost every call it carried. */
  instance: string;
  /** Region label (e.g. `eu-west`), null when the node has none. */
  region: string | null;
  /** `host:port` of the voice gateway, as it goes into VOICE_SERVER_UPDATE. */
  endpoint: string;
  /** Channels with at least one member. */
  channels: number;
  /** Voice sessions (connected or resumable). */
  sessions: number;
  /** RTP/RTCP datagrams received per second, over the last sampling window. */
  packetsPerSecond: number;
  /** True while the node is being emptied: it takes no new channels. */
  draining: boolean;
}

/** Longest status body accepted (a status is ~250 bytes; anything bigger is not one). */
export const MAX_STATUS_BYTES = 4096;

const ID = /^[\w.:-]{1,64}$/;
// host:port, the host a name, an IPv4 address or a bracketed IPv6 address.
const ENDPOINT = /^(?:[\w.-]{1,253}|\[[\da-fA-F:.]{2,45}\]):\d{1,5}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1e12) {
    throw new VoiceClusterError('BAD_STATUS', `status.${field} is not a finite count`);
  }
  return value;
}

/**
 * Checks a node status received over the network (a JSON string, its bytes, or an already parsed value). Anything
 * else than a well-formed status gives a `VoiceClusterError` with code `BAD_STATUS`: a misbehaving or foreign node must
 * never make the allocator throw elsewhere or place channels on garbage.
 */
export function decodeVoiceNodeStatus(input: unknown): VoiceNodeStatus {
  let value = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const length = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
    if (length > MAX_STATUS_BYTES) throw new VoiceClusterError('BAD_STATUS', 'status too large');
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
    try {
      value = JSON.parse(text);
    } catch {
      throw new VoiceClusterError('BAD_STATUS', 'status is not JSON');
    }
  }
  if (!isObject(value)) throw new VoiceClusterError('BAD_STATUS', 'status is not an object');
  if (value.v !== 1) throw new VoiceClusterError('BAD_STATUS', 'unknown status version');
  const { id, instance, region, endpoint, draining } = value;
  if (typeof id !== 'string' || !ID.test(id)) throw new VoiceClusterError('BAD_STATUS', 'status.id is invalid');
  if (typeof instance !== 'string' || !ID.test(instance)) {
    throw new VoiceClusterError('BAD_STATUS', 'status.instance is invalid');
  }
  if (region !== null && (typeof region !== 'string' || !ID.test(region))) {
    throw new VoiceClusterError('BAD_STATUS', 'status.region is invalid');
  }
  if (typeof endpoint !== 'string' || !ENDPOINT.test(endpoint)) {
    throw new VoiceClusterError('BAD_STATUS', 'status.endpoint is not host:port');
  }
  const port = Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
  if (port < 1 || port > 65535) throw new VoiceClusterError('BAD_STATUS', 'status.endpoint port out of range');
  if (typeof draining !== 'boolean') throw new VoiceClusterError('BAD_STATUS', 'status.draining is not a boolean');
  return {
    v: 1,
    id,
    instance,
    region,
    endpoint,
    channels: count(value.channels, 'channels'),
    sessions: count(value.sessions, 'sessions'),
    packetsPerSecond: count(value.packetsPerSecond, 'packetsPerSecond'),
    draining,
  };
}
