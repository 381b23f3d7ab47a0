import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { dropClearedIdleTimer } from '../src/transport/socketInternals.js';

describe('dropClearedIdleTimer', () => {
  const timerOf = (socket: Socket) => {
    const key = Object.getOwnPropertySymbols(socket).find((k) => k.description === 'timeout');
    expect(key).toBeDefined();
    return (socket as unknown as Record<symbol, unknown>)[key!];
  };

  it('forgets an idle timer that was turned off, and leaves an armed one alone', () => {
    const off = new Socket();
    off.setTimeout(10_000);
    off.setTimeout(0);
    expect(timerOf(off)).not.toBeNull();
    dropClearedIdleTimer(off);
    expect(timerOf(off)).toBeNull();
    // Arming it again afterwards still works (Node creates a new timer).
    off.setTimeout(5_000);
    expect(timerOf(off)).not.toBeNull();
    off.setTimeout(0);

    const armed = new Socket();
    armed.setTimeout(10_000);
    dropClearedIdleTimer(armed);
    expect(timerOf(armed)).not.toBeNull();
    armed.setTimeout(0);
    armed.destroy();
    off.destroy();
  });
});
