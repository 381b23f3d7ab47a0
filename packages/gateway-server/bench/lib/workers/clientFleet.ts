/**
 * The load clients of a bench/workers.ts run: bench/lib/load/clients.ts processes (raw sockets, identified
 * sessions), each holding at most `perProcess` sessions from its own eight 127.0.<k+1>.x source addresses, so neither
 * the per-process descriptor cap nor a source address's ephemeral ports bind.
 */
import { fileURLToPath } from 'node:url';
import { type Child, spawnChild } from '../load/child.js';
import type { Collected, Opened } from '../load/clients.js';
import { Histogram } from '../load/Histogram.js';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const ADDRESSES = 8;
const HEARTBEAT_MS = 41_250;

export interface ClientFleet {
  readonly processes: Child[];
  /** Opens sessions [from, to) against `urls`; resolves with how many identified and the first errors. */
  open(
    urls: string[],
    from: number,
    to: number,
    parallel: number,
  ): Promise<{ ok: number; failed: number; errors: string[]; ms: number }>;
  mark(from: number, to: number): Promise<void>;
  /** Client CPU µs since the last mark. */
  cpu(): Promise<number>;
  counted(): Promise<number>;
  collect(): Promise<{ histogram: Histogram; counted: number; lastAt: number; dropped: number; open: number }>;
  stop(): Promise<void>;
}

export async function startClients(
  sessions: number,
  perProcess: number,
  track: (c: Child) => void,
): Promise<ClientFleet> {
  const count = Math.max(2, Math.ceil(sessions / perProcess));
  const processes = await Promise.all(
    Array.from({ length: count }, (_, i) => spawnChild(here('../load/clients.ts'), `clients ${i}`)),
  );
  for (const p of processes) track(p);
  return {
    processes,
    async open(urls, from, to, parallel) {
      const span = to - from;
      const opened = await Promise.all(
        processes.map((p, k) =>
          p.request<Opened>(
            {
              type: 'open',
              urls,
              ranges: [[from + Math.floor((span * k) / count), from + Math.floor((span * (k + 1)) / count)]],
              localAddresses: Array.from({ length: ADDRESSES }, (_, j) => `127.0.${1 + k}.${10 + j}`),
              parallel: Math.ceil(parallel / count),
              heartbeatMs: HEARTBEAT_MS,
            },
            'opened',
          ),
        ),
      );
      return {
        ok: opened.reduce((s, o) => s + o.ok, 0),
        failed: opened.reduce((s, o) => s + o.failed, 0),
        errors: opened.flatMap((o) => o.errors).slice(0, 3),
        ms: Math.max(...opened.map((o) => o.ms)),
      };
    },
    async mark(from, to) {
      await Promise.all(processes.map((p) => p.request({ type: 'mark', from, to }, 'marked')));
    },
    async cpu() {
      const all = await Promise.all(
        processes.map((p) => p.request<{ user: number; system: number }>({ type: 'cpu' }, 'cpu')),
      );
      return all.reduce((s, c) => s + c.user + c.system, 0);
    },
    async counted() {
      const all = await Promise.all(processes.map((p) => p.request<{ counted: number }>({ type: 'count' }, 'count')));
      return all.reduce((s, c) => s + c.counted, 0);
    },
    async collect() {
      const all = await Promise.all(processes.map((p) => p.request<Collected>({ type: 'collect' }, 'collected')));
      const histogram = new Histogram();
      let counted = 0;
      let lastAt = 0;
      let dropped = 0;
      let open = 0;
      for (const c of all) {
        histogram.add(c.histogram, c.max);
        counted += c.counted;
        lastAt = Math.max(lastAt, c.lastAt);
        dropped += c.dropped;
        open += c.open;
      }
      return { histogram, counted, lastAt, dropped, open };
    },
    async stop() {
      await Promise.all(processes.map((p) => p.stop()));
    },
  };
}
