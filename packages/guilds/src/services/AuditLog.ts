import type { APIAuditLogEntry } from 'discord-api-types/v10';
import { PermissionFlagsBits } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import type { AuditEntryInput } from '../model/AuditEntryInput.js';
import type { AuditLogRecord } from '../model/records.js';
import { put } from '../store/CommunityRepository.js';
import { requireGuildPermissions } from './access.js';

/** Query of `GET /guilds/{id}/audit-logs`. */
export interface AuditLogQuery {
  userId?: string;
  actionType?: number;
  before?: string;
  after?: string;
  limit?: number;
}

/** Longest `X-Audit-Log-Reason` Discord keeps. */
export const MAX_AUDIT_LOG_REASON = 512;

/**
 * The guild audit log: every moderating action appends an entry (with the request's reason) and dispatches
 * GUILD_AUDIT_LOG_ENTRY_CREATE to the members who may read the log (VIEW_AUDIT_LOG), as Discord does.
 */
export class AuditLog {
  #ctx: CommunityContext | null = null;

  bind(ctx: CommunityContext): void {
    this.#ctx = ctx;
  }

  async record(input: AuditEntryInput): Promise<APIAuditLogEntry> {
    const ctx = this.#context();
    const entry: AuditLogRecord = {
      id: ctx.nextId(),
      guild_id: input.guildId,
      user_id: input.userId,
      target_id: input.targetId,
      action_type: input.actionType,
      ...(input.changes && input.changes.length > 0 ? { changes: input.changes } : {}),
      ...(input.options ? { options: input.options } : {}),
      ...(input.reason ? { reason: input.reason.slice(0, MAX_AUDIT_LOG_REASON) } : {}),
    };
    await ctx.repo.write([put('audit', input.guildId, entry.id, entry)]);
    const wire = toWire(entry);
    const state = ctx.guilds.peek(input.guildId);
    const gateway = ctx.gateway();
    if (state && gateway) {
      const readers = state.membersWithPermission(PermissionFlagsBits.ViewAuditLog);
      if (readers.length > 0) {
        gateway.dispatchToUsers(
          readers,
          'GUILD_AUDIT_LOG_ENTRY_CREATE',
          { ...wire, guild_id: input.guildId },
          {
            guildId: input.guildId,
          },
        );
      }
    }
    return wire;
  }

  /** `GET /guilds/{id}/audit-logs`: newest first, filtered by user and action; needs VIEW_AUDIT_LOG. */
  async list(actorId: string, guildId: string, query: AuditLogQuery = {}): Promise<APIAuditLogEntry[]> {
    const ctx = this.#context();
    const state = await ctx.guilds.require(guildId);
    requireGuildPermissions(state, actorId, PermissionFlagsBits.ViewAuditLog);
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 100);
    const out: APIAuditLogEntry[] = [];
    // Entries are stored by id (ascending); walk back from `before` (or the newest) in pages, filtering.
    let before = query.before;
    for (let pages = 0; pages < 50 && out.length < limit; pages++) {
      const page = await ctx.repo.list(
        'audit',
        guildId,
        before === undefined ? { limit: 100 } : { before, limit: 100 },
      );
      if (page.length === 0) break;
      for (let i = page.length - 1; i >= 0 && out.length < limit; i--) {
        const entry = page[i]!.value;
        if (query.after !== undefined && BigInt(entry.id) <= BigInt(query.after)) return out;
        if (query.userId !== undefined && entry.user_id !== query.userId) continue;
        if (query.actionType !== undefined && entry.action_type !== query.actionType) continue;
        out.push(toWire(entry));
      }
      before = page[0]!.id;
      if (page.length < 100) break;
    }
    return out;
  }

  #context(): CommunityContext {
    if (!this.#ctx) throw new Error('AuditLog used before Community bound it');
    return this.#ctx;
  }
}

function toWire(entry: AuditLogRecord): APIAuditLogEntry {
  return {
    id: entry.id,
    user_id: entry.user_id,
    target_id: entry.target_id,
    action_type: entry.action_type,
    ...(entry.changes ? { changes: entry.changes } : {}),
    ...(entry.options ? { options: entry.options } : {}),
    ...(entry.reason ? { reason: entry.reason } : {}),
  } as APIAuditLogEntry;
}
