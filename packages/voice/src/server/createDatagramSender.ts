import type { Socket } from 'node:dgram';
import { createRequire } from 'node:module';
import type { DatagramSender } from './DatagramSender.js';

type UdpBatchClass = new (socket: Socket) => DatagramSender & { readonly native: boolean };

function loadUdpBatch(): { UdpBatch: UdpBatchClass; isUdpBatchSupported(): boolean } | null {
  try {
    // Optional dependency with a native build (sendmmsg): absent or unbuilt, the SFU sends one datagram per call.
    return createRequire(import.meta.url)('@concord/udp-batch');
  } catch {
    return null;
  }
}

const udpBatch = loadUdpBatch();

/**
 * A batching sender over `socket` (one sendmmsg per flush), or null when batching is off or the native module is not
 * available here (then the caller sends datagram by datagram, as before). The socket may still be unbound.
 */
export function createDatagramSender(socket: Socket, enabled: boolean): DatagramSender | null {
  if (!enabled || !udpBatch?.isUdpBatchSupported()) return null;
  return new udpBatch.UdpBatch(socket);
}
