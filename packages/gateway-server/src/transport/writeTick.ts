import type { Duplex } from 'node:stream';

/**
 * Write coalescing per tick. A connection's first dispatch frame in a tick goes to the socket at once: with one
 * dispatch per recipient per tick (the common fan-out) corking saves no syscall and only delays every recipient until
 * the whole loop has run (the first delivery of a 10,000-recipient message waited ~10 ms for the last one's frame).
 * A second frame for the same socket in the same tick (READY + GUILD_CREATEs, a burst of messages) corks it, and the
 * rest of the tick's frames leave with it in one write when the tick ends.
 */
let tick = 1;
let tickEnding = false;
let corked: Duplex[] = [];

/** The tick's end uncorks what was corked in it (queued once per tick). */
export function endTickSoon(): void {
  if (!tickEnding) {
    tickEnding = true;
    process.nextTick(endTick);
  }
}

/** Corks `socket` until the tick ends (see `endTick`). */
export function corkUntilTickEnd(socket: Duplex): void {
  if (!socket.writableCorked) {
    socket.cork();
    corked.push(socket);
  }
}

function endTick(): void {
  tick++;
  tickEnding = false;
  const sockets = corked;
  if (sockets.length === 0) return;
  corked = [];
  for (const socket of sockets) socket.uncork();
}

/** The current tick's number (a connection remembers the tick of its last dispatch frame). */
export function currentTick(): number {
  return tick;
}
