// Preloaded into a server of bench/assembled.ts with ASSEMBLED_ALLOC_PROFILE=<dir> (`--import` of this file): SIGWINCH
// starts V8's sampling heap profiler and the next SIGWINCH stops it, writing <dir>/alloc-<pid>.heapprofile. Unlike
// `--heap-prof`, which keeps only the samples still alive when it stops, this one keeps the samples of objects the
// scavenger and the full collector freed too: what a window allocated in all, garbage included, by call site. It
// also counts the collections in the window (scavenges and full ones, and their pause time). Diagnostic only.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';

const dir = process.env.ASSEMBLED_ALLOC_PROFILE ?? '/tmp';
const interval = Number(process.env.ASSEMBLED_ALLOC_INTERVAL ?? 4096);
const session = new Session();
session.connect();
let gcs;
const observer = new PerformanceObserver((list) => {
  if (!gcs) return;
  for (const e of list.getEntries()) {
    const kind = e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR ? 'minor' : 'other';
    gcs[kind].count++;
    gcs[kind].ms += e.duration;
  }
});
observer.observe({ entryTypes: ['gc'] });
let running = false;
process.on('SIGWINCH', () => {
  // A line in the server's output at each end of the window (to cut `--trace-opt` or `--trace-gc` output there).
  process.stdout.write(`alloc-profile window ${running ? 'end' : 'start'}\n`);
  if (!running) {
    running = true;
    gcs = { minor: { count: 0, ms: 0 }, other: { count: 0, ms: 0 } };
    session.post('HeapProfiler.enable');
    session.post('HeapProfiler.startSampling', {
      samplingInterval: interval,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    return;
  }
  running = false;
  session.post('HeapProfiler.stopSampling', (err, result) => {
    if (err) throw err;
    writeFileSync(join(dir, `alloc-${process.pid}.heapprofile`), JSON.stringify(result.profile));
    writeFileSync(join(dir, `alloc-${process.pid}.gc.json`), JSON.stringify(gcs));
    gcs = undefined;
  });
});
