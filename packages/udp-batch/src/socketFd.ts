import type { Socket } from 'node:dgram';

/**
 * The file descriptor of a bound dgram socket, or -1. Node's dgram does not expose it: its handle (a UDPWrap) keeps it
 * under the socket's internal state symbol, as `handle.fd` on Unix (-1 on Windows, or before `bind`).
 */
export function socketFd(socket: Socket): number {
  const state = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'state symbol');
  if (!state) return -1;
  const handle = (socket as unknown as Record<symbol, { handle?: { fd?: unknown } } | undefined>)[state]?.handle;
  const fd = handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : -1;
}
