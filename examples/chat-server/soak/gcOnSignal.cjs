// Preloaded into the soak test's server process only (`node --expose-gc --require ./soak/gcOnSignal.cjs dist/main.js`):
// SIGUSR2 runs a full garbage collection and prints the process's memory use as one `[soak-memory] {…}` line, so the
// test compares memory after the same kind of collection before and after the hostile phase, not whenever V8 chose to
// collect.
process.on('SIGUSR2', () => {
  if (typeof global.gc === 'function') global.gc();
  process.stdout.write(`[soak-memory] ${JSON.stringify(process.memoryUsage())}\n`);
});
