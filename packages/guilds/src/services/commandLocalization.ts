import type { CommandRecord } from '../model/interactionRecords.js';

/** Discord's locale fallbacks for command localizations (a locale missing from a dictionary uses its fallback's). */
const fallbacks: Readonly<Record<string, string>> = { 'en-US': 'en-GB', 'en-GB': 'en-US', 'es-419': 'es-ES' };

/** The default locale of a requester Concord knows no locale for (Discord's default user setting). */
export const DEFAULT_COMMAND_LOCALE = 'en-US';

type Localized = Record<string, unknown>;

function pick(dictionary: unknown, locale: string): string | undefined {
  if (typeof dictionary !== 'object' || dictionary === null) return undefined;
  const map = dictionary as Record<string, unknown>;
  const direct = map[locale];
  if (typeof direct === 'string') return direct;
  const fallback = fallbacks[locale];
  const other = fallback === undefined ? undefined : map[fallback];
  return typeof other === 'string' ? other : undefined;
}

/** One object with `name` / `description` and their dictionaries, as the batch GET shows it. */
function localizeNode(node: Localized, locale: string): Localized {
  const out: Localized = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'name_localizations' || key === 'description_localizations') continue;
    if (key === 'options' && Array.isArray(value)) out.options = value.map((o) => localizeNode(o as Localized, locale));
    else if (key === 'choices' && Array.isArray(value))
      out.choices = value.map((c) => localizeNode(c as Localized, locale));
    else out[key] = value;
  }
  const name = pick(node.name_localizations, locale);
  if (name !== undefined) out.name_localized = name;
  const description = pick(node.description_localizations, locale);
  if (description !== undefined) out.description_localized = description;
  return out;
}

/**
 * A command as `GET /applications/{app}[/guilds/{guild}]/commands` answers it without `with_localizations=true`
 * (Discord's "Retrieving localized commands"): the `*_localizations` dictionaries of the command, its options and
 * choices replaced by `name_localized` / `description_localized` in the requester's locale (with Discord's fallbacks),
 * left out when the dictionary has no text for it.
 */
export function localizedCommand(command: CommandRecord, locale: string): CommandRecord {
  return localizeNode(command, locale) as CommandRecord;
}
