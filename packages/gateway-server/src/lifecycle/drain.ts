/** How `GatewayServer.drain()` moves this node's sessions away. */
export interface DrainOptions {
  /**
   * Connections sent op 7 Reconnect per wave: a count, or a share of the connections open when the drain starts
   * (`'5%'`). Default `'5%'` (at least 1), so a full drain takes 20 waves.
   */
  waveSize?: number | `${number}%`;
  /** Pause between two waves, ms (default 500). */
  waveIntervalMs?: number;
  /**
   * Whole-drain budget, ms (default 30000). Connections still open when it runs out are closed with 4000 (resumable),
   * so their sessions are still handed over, only all at once.
   */
  timeoutMs?: number;
  /** Close the server and its broker once drained (default true). */
  close?: boolean;
  /** Called after every wave and once at the end (`phase: 'done'`). */
  onProgress?: (progress: DrainProgress) => void;
}

export interface DrainProgress {
  phase: 'wave' | 'done';
  /** 1-based number of the wave just sent (the total on `done`). */
  wave: number;
  /** Connections sent op 7 in this wave (0 on `done`). */
  reconnects: number;
  /** Connections not yet sent op 7. */
  queued: number;
  /** Sessions still attached to this node or whose state is not yet confirmed stored. */
  pending: number;
}

export interface DrainStats {
  /** Sessions this node held when it was asked to drain (connected or awaiting resume). */
  sessions: number;
  /** Waves of op 7 sent. */
  waves: number;
  /** op 7 sent per wave, in order. */
  perWave: number[];
  /** Connections closed by the timeout instead of leaving by themselves after op 7. */
  forced: number;
  /** Sessions whose state could not be confirmed stored (store write failed or timed out): possibly lost. */
  unsaved: number;
  durationMs: number;
}

/** Connections per wave for `total` connections; always at least 1. */
export function resolveWaveSize(waveSize: DrainOptions['waveSize'], total: number): number {
  const value = waveSize ?? '5%';
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 1) throw new RangeError(`waveSize must be >= 1, got ${value}`);
    return Math.floor(value);
  }
  const percent = Number(value.slice(0, -1));
  if (!value.endsWith('%') || !Number.isFinite(percent) || percent <= 0 || percent > 100) {
    throw new RangeError(`waveSize must be a count or a percentage in (0, 100], got ${value}`);
  }
  return Math.max(1, Math.ceil((total * percent) / 100));
}

/** Throws a RangeError for options a drain could not run with (checked before the node stops taking connections). */
export function checkDrainOptions(options: DrainOptions): void {
  resolveWaveSize(options.waveSize, 1);
  for (const key of ['waveIntervalMs', 'timeoutMs'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`${key} must be a finite number >= 0, got ${value}`);
    }
  }
}
