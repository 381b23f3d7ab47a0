// Preloaded into both servers of bench/assembled.ts (`--expose-gc --import`, unless ASSEMBLED_GC_RSS=0): SIGPWR runs
// compacting full garbage collections, so RSS can also be read with only what is live (plus what the allocators keep),
// and writes what is live right after them (process.memoryUsage()) to <tmpdir>/assembled-gc-<pid>.json for the bench:
// live bytes do not depend on whether V8 has given free pages back yet. Plain JavaScript: the naive server loads it
// before tsx, the assembled one runs built files.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';

// Short-lived garbage at start, several times the young generation (which bench/assembled.ts fixes at one size in both
// servers): every page of it is then resident before any reading, in both, whatever each allocated during its warm-up
// (a young generation committed but only partly touched before the sessions counted its untouched pages against the
// server that allocates less before them).
{
  // A ring of them (never one variable: an optimizing compiler may then skip allocating them at all).
  const ring = new Array(1024);
  for (let i = 0; i < 2_000_000; i++) ring[i & 1023] = { i, a: [i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i] };
}

// The collections compact: a plain full GC frees objects but keeps every old-generation page holding a survivor, and an
// Identify burst leaves pages where sessions sit between its promoted garbage (10,000 sessions in the assembled server:
// 202 MB of RSS after plain full GCs, 68 MB of it live). V8's memory reducer compacts such pages only once the process
// has been idle a while, so whether it had run decided the reading. Compacting on the signal gives both servers the
// same state at every reading.
process.on('SIGPWR', () => {
  setFlagsFromString('--compact-on-every-full-gc');
  globalThis.gc?.();
  globalThis.gc?.();
  setFlagsFromString('--no-compact-on-every-full-gc');
  writeFileSync(join(tmpdir(), `assembled-gc-${process.pid}.json`), JSON.stringify(process.memoryUsage()));
});
