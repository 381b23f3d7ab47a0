/** One changed field as the audit log records it. */
export interface AuditChange {
  key: string;
  old_value?: unknown;
  new_value?: unknown;
}

/**
 * The fields that differ between two versions of a record, as audit log `changes` (Discord leaves out `old_value` for
 * a field that was absent and `new_value` for one that was removed). Compared by JSON, so arrays and overwrites compare
 * by content.
 */
export function diffChanges(before: object, after: object): AuditChange[] {
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const out: AuditChange[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (JSON.stringify(a[key]) === JSON.stringify(b[key])) continue;
    const change: AuditChange = { key };
    if (a[key] !== undefined && a[key] !== null) change.old_value = a[key];
    if (b[key] !== undefined && b[key] !== null) change.new_value = b[key];
    out.push(change);
  }
  return out;
}
