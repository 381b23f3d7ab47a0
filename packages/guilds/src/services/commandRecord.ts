import { ApplicationIntegrationType, type RESTPostAPIApplicationCommandsJSONBody } from 'discord-api-types/v10';
import type { CommandRecord } from '../model/interactionRecords.js';

/** The fields of a command its application sets (what a create body and a PATCH may carry); the rest Discord fills. */
const bodyKeys = [
  'type',
  'name',
  'name_localizations',
  'description',
  'description_localizations',
  'options',
  'default_member_permissions',
  'dm_permission',
  'nsfw',
  'contexts',
  'integration_types',
] as const;

/** The fields a PATCH may change (`type` is fixed once created). */
export const patchableKeys: readonly string[] = bodyKeys.filter((key) => key !== 'type');

/**
 * A command as it is stored and as `GET` answers it, from a body `validateApplicationCommand` accepted: Discord's
 * defaults filled in (`default_member_permissions` null, localizations null, `contexts` null, `integration_types`
 * `[0]`, `nsfw` false; `dm_permission` true on global commands only, `guild_id` on guild ones), `options` only when
 * there are some.
 */
export function buildCommandRecord(
  body: RESTPostAPIApplicationCommandsJSONBody,
  ids: { id: string; applicationId: string; guildId: string | null; version: string },
): CommandRecord {
  const source = body as unknown as Record<string, unknown>;
  const options = source.options as CommandRecord['options'];
  const record: CommandRecord = {
    id: ids.id,
    application_id: ids.applicationId,
    version: ids.version,
    default_member_permissions: (source.default_member_permissions as string | null | undefined) ?? null,
    type: (source.type as CommandRecord['type'] | undefined) ?? 1,
    name: source.name as string,
    name_localizations: (source.name_localizations as CommandRecord['name_localizations']) ?? null,
    description: (source.description as string | undefined) ?? '',
    description_localizations: (source.description_localizations as CommandRecord['description_localizations']) ?? null,
    ...(ids.guildId !== null
      ? { guild_id: ids.guildId }
      : { dm_permission: (source.dm_permission as boolean | undefined) ?? true }),
    contexts: (source.contexts as CommandRecord['contexts']) ?? null,
    integration_types: (source.integration_types as CommandRecord['integration_types']) ?? [
      ApplicationIntegrationType.GuildInstall,
    ],
    ...(options !== undefined && options.length > 0 ? { options } : {}),
    nsfw: (source.nsfw as boolean | undefined) ?? false,
  };
  return record;
}

/** The body a stored command was made from, to merge a PATCH into and check again. */
export function commandBody(record: CommandRecord): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const key of bodyKeys) if (record[key] !== undefined && record[key] !== null) body[key] = record[key];
  return body;
}

/** Whether two records say the same (ids and version aside): an unchanged command keeps its version. */
export function sameCommand(a: CommandRecord, b: CommandRecord): boolean {
  return JSON.stringify({ ...a, version: '' }) === JSON.stringify({ ...b, version: '' });
}
