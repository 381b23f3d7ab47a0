import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** What the connection write path uses of `@concord/tcp-write` (its own types are not a dependency of this package). */
export interface TcpWrite {
  /** The descriptor `socket`'s next bytes may be sent to at once, or -1 (TLS, something queued or corked, closed). */
  directFd(socket: Duplex): number;
  /** One send(2) of `bytes[start, end)`; what the kernel does not take goes to `socket.write`, copied. */
  writeDirect(socket: Socket, fd: number, bytes: Uint8Array, start: number, end: number): number;
  isTcpWriteSupported(): boolean;
}

function load(): TcpWrite | null {
  try {
    // Optional dependency with a native build: absent or unbuilt, every frame goes through socket.write as before.
    const module = createRequire(import.meta.url)('@concord/tcp-write') as TcpWrite;
    if (!module.isTcpWriteSupported()) return null;
    // A plain object of its functions (a module namespace's are read-only): one property load per call.
    const { directFd, writeDirect, isTcpWriteSupported } = module;
    return { directFd, writeDirect, isTcpWriteSupported };
  } catch {
    return null;
  }
}

/**
 * `@concord/tcp-write` when it is installed and its native module built here, else null. A frame sent through it skips
 * Node's stream machinery (the Writable state, a WriteWrap, the stream binding): ~1–2 µs of user CPU less per delivery
 * in the assembled chat server's 10,000-recipient fan-out (BENCHMARKS.md, #19 "Thirteenth pass").
 */
export const tcpWrite: TcpWrite | null = load();
