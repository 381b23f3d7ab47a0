export interface Comparison {
  bench: string;
  unit: string;
  ours: number;
  baseline: number;
  against: string;
  /** > 1 means we are better, whichever direction the unit runs. */
  ratio: number;
}

/** Builds a comparison; `lowerIsBetter` for latencies and sizes, where the ratio is baseline / ours. */
export function comparison(
  bench: string,
  unit: string,
  ours: number,
  baseline: number,
  against: string,
  lowerIsBetter = false,
): Comparison {
  const ratio = lowerIsBetter ? baseline / ours : ours / baseline;
  return { bench, unit, ours: round(ours), baseline: round(baseline), against, ratio: round(ratio, 3) };
}

function round(n: number, digits = 2): number {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (Math.abs(n) >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(2);
}

/**
 * Prints the readable table, then one JSON line per comparison as the last lines of output
 * (scripts/bench.mjs collects those lines into BENCHMARKS.md).
 */
export function report(title: string, rows: Comparison[], notes: string[] = []): void {
  const header = ['case', 'unit', 'ours', 'baseline', 'against', 'ratio'];
  const body = rows.map((r) => [r.bench, r.unit, fmt(r.ours), fmt(r.baseline), r.against, `${r.ratio.toFixed(2)}x`]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
  for (const n of notes) console.log(`  ${n}`);
  console.log('');
  for (const r of rows) console.log(JSON.stringify(r));
}

/** Turns a readable case label into the `pkg.case` id of the JSON lines: 'sqlite newest 50 p99' → 'pkg.sqlite.newest-50.p99'. */
export function benchName(pkg: string, label: string): string {
  const slug = label
    .toLowerCase()
    .replace(/[()]/g, '')
    .trim()
    .replace(/\s+(p\d+)$/, '.$1')
    .replace(/^(\S+)\s+/, '$1.')
    .replace(/\s+/g, '-');
  return `${pkg}.${slug}`;
}
