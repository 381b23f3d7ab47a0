// Preloaded into both servers of bench/assembled.ts (`--expose-gc --import`, unless ASSEMBLED_GC_RSS=0): SIGPWR runs
// full garbage collections, so RSS can also be read with only what is live (plus what the allocator keeps). Plain
// JavaScript: the naive server loads it before tsx, the assembled one runs built files.
process.on('SIGPWR', () => {
  globalThis.gc?.();
  globalThis.gc?.();
});
