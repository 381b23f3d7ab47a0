import { readdirSync, readFileSync } from 'node:fs';

/** CPU time of another process from /proc/<pid>/stat, in µs (user and kernel apart), and its resident set in bytes. */
export interface ProcessUsage {
  userUs: number;
  systemUs: number;
  rssBytes: number;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux everywhere). */
const TICK_US = 1e6 / 100;

export function processUsage(pid: number): ProcessUsage {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return { userUs: Number(fields[11]) * TICK_US, systemUs: Number(fields[12]) * TICK_US, rssBytes: rssKb * 1024 };
}

/** CPU µs (user, kernel) of another process's main thread and of its other threads (GC helpers, libuv pool). */
export function threadUsage(pid: number): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
    } catch {
      continue;
    }
    // Node names every thread "node": the main thread is the one whose id is the process id.
    const name = tid === String(pid) ? 'main' : 'helpers';
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const seen = out.get(name) ?? [0, 0];
    seen[0] += Number(fields[11]) * TICK_US;
    seen[1] += Number(fields[12]) * TICK_US;
    out.set(name, seen);
  }
  return out;
}
