import { performance } from 'node:perf_hooks';

/** What a bench node reports of its gateway and its broker. */
export interface NodeCounts {
  sessions: number;
  connections: number;
  brokerPublished: number;
  brokerReceived: number;
}

/** A node's figures as read (node.ts's NodeStats). */
export interface ReadStats extends NodeCounts {
  type: 'stats';
  /** The process's id (to match a `perf record` of the run to it). */
  pid: number;
  rss: number;
  heapUsed: number;
  external: number;
  cpuUser: number;
  cpuSystem: number;
  /** Context switches so far: waits for I/O (voluntary), and preemptions by other processes (involuntary). */
  switchesVoluntary: number;
  switchesInvoluntary: number;
  elu: number;
}

/**
 * A reader of a bench node's figures (node.ts, the host workers of workers.ts): memory, CPU so far, and the event
 * loop's busy share since the previous read. `gc` collects first (with --expose-gc) so that RSS is what stays.
 */
export function nodeStatsReader(counts: () => NodeCounts): (gc: boolean) => ReadStats {
  let elu = performance.eventLoopUtilization();
  return (gc) => {
    if (gc) for (let i = 0; i < 4; i++) globalThis.gc?.();
    const m = process.memoryUsage();
    const cpu = process.cpuUsage();
    const usage = process.resourceUsage();
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, elu);
    elu = now;
    return {
      type: 'stats',
      ...counts(),
      pid: process.pid,
      rss: m.rss,
      heapUsed: m.heapUsed,
      external: m.external,
      cpuUser: cpu.user,
      cpuSystem: cpu.system,
      switchesVoluntary: usage.voluntaryContextSwitches,
      switchesInvoluntary: usage.involuntaryContextSwitches,
      elu: delta.utilization,
    };
  };
}
