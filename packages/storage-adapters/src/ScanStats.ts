/** What one bucket scan read: the `onScan` instrumentation of the in-memory and SQL stores (benches and tests). */
export interface ScanStats {
  /** Non-empty buckets (in-memory) or distinct buckets of the rows read (SQL) by one scan. */
  buckets: number;
  rows: number;
}
