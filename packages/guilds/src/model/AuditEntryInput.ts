import type { AuditLogRecord } from './records.js';

/** What a service tells the audit log about one action (`X-Audit-Log-Reason` arrives as `reason`). */
export interface AuditEntryInput {
  guildId: string;
  userId: string | null;
  targetId: string | null;
  actionType: number;
  changes?: AuditLogRecord['changes'];
  options?: Record<string, string>;
  reason?: string | undefined;
}
