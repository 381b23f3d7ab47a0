// The application commands I may use where I am, from the route Discord's client reads them from:
// `GET /guilds/{guild}/application-command-index` (in a DM, `GET /channels/{channel}/application-command-index`).
// Kept per guild or DM; the `/` picker asks afresh each time it opens, the Apps menus take what is kept.
import { api } from './api.js';
import { findChannel } from './state.js';
import type { ApplicationCommand, CommandIndex } from './types.js';

const kept = new Map<string, Promise<CommandIndex>>();

function indexPath(channelId: string): string {
  const guildId = findChannel(channelId)?.guild_id;
  return guildId ? `/guilds/${guildId}/application-command-index` : `/channels/${channelId}/application-command-index`;
}

/** The index for a channel: fetched again with `fresh`, else the one kept (fetched once). */
export function loadCommandIndex(channelId: string, fresh = false): Promise<CommandIndex> {
  const path = indexPath(channelId);
  let job = fresh ? undefined : kept.get(path);
  if (!job) {
    job = api<CommandIndex>('GET', path).then((index) => ({
      applications: index?.applications ?? [],
      application_commands: index?.application_commands ?? [],
    }));
    // A failed fetch is not kept: the next look asks again.
    job.catch(() => kept.delete(path));
    kept.set(path, job);
  }
  return job;
}

/** An application's name as the index gives it. */
export function applicationName(index: CommandIndex, applicationId: string): string {
  return index.applications.find((a) => a.id === applicationId)?.name ?? 'App';
}

/** The index's commands of one type (1 chat input, 2 user, 3 message), by name. */
export function commandsOfType(index: CommandIndex, type: number): ApplicationCommand[] {
  return index.application_commands.filter((c) => (c.type ?? 1) === type).sort((a, b) => a.name.localeCompare(b.name));
}
