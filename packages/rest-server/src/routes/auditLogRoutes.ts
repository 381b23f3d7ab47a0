import { UnknownEntityError } from '@concord/guilds';
import { intParam, snowflakeParam } from '../http/queryParams.js';
import type { RouteDefinition } from '../pipeline/RouteDefinition.js';

/** `GET /guilds/{id}/audit-logs` (VIEW_AUDIT_LOG), in Discord's envelope with the users the entries name. */
export const auditLogRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/guilds/:guild_id/audit-logs',
    rule: 'read',
    handler: async (req) => {
      const { community } = req.ctx;
      const userId = snowflakeParam(req.query, 'user_id');
      const before = snowflakeParam(req.query, 'before');
      const after = snowflakeParam(req.query, 'after');
      const actionType = intParam(req.query, 'action_type', 1, 1000);
      const limit = intParam(req.query, 'limit', 1, 100, 50);
      const entries = await community.auditLog.list(req.user.id, req.params.guild_id!, {
        limit,
        ...(userId !== undefined ? { userId } : {}),
        ...(before !== undefined ? { before } : {}),
        ...(after !== undefined ? { after } : {}),
        ...(actionType !== undefined ? { actionType } : {}),
      });
      const ids = new Set<string>();
      for (const entry of entries) {
        if (entry.user_id) ids.add(entry.user_id);
      }
      const users = [];
      for (const id of ids) {
        try {
          users.push(await community.users.get(id));
        } catch (error) {
          // A deleted account: Discord leaves it out of `users`.
          if (!(error instanceof UnknownEntityError)) throw error;
        }
      }
      return {
        audit_log_entries: entries,
        users,
        integrations: [],
        webhooks: [],
        guild_scheduled_events: [],
        threads: [],
        application_commands: [],
        auto_moderation_rules: [],
      };
    },
  },
];
