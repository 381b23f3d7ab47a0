// What the composer's text means as a slash command: `/name [group] [sub] option:value option:value…`. A value runs
// up to the next `known-option:`; the last one runs to the end of the text (the one being typed). Also turns the
// typed values into Discord's option values (choices by name, members, channels and roles by name or mention), and
// lists the values to offer for an option (its choices, True/False, the guild's members, channels or roles).
import { displayName, findChannel, state } from './state.js';
import type { ApplicationCommand, CommandChoice, CommandIndex, CommandOption } from './types.js';

export const OPTION_TYPE_NAMES: Record<number, string> = {
  3: 'text',
  4: 'integer',
  5: 'true or false',
  6: 'user',
  7: 'channel',
  8: 'role',
  9: 'user or role',
  10: 'number',
  11: 'attachment',
};

export interface TypedValue {
  option: CommandOption;
  raw: string;
  /** Where `name:` starts in the text. */
  start: number;
}

export type ParsedCommand =
  | { stage: 'command'; typed: string }
  | { stage: 'subcommand'; command: ApplicationCommand; path: CommandOption[]; choices: CommandOption[]; typed: string }
  | {
      stage: 'options';
      command: ApplicationCommand;
      path: CommandOption[];
      /** The options at the end of the path. */
      options: CommandOption[];
      values: TypedValue[];
      /** The value being typed (the last one), unless the text ends after a space. */
      current: TypedValue | null;
      /** The last word, when it may be the start of another option's name. */
      partial: string;
    };

const isGroup = (o: CommandOption) => o.type === 1 || o.type === 2;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Parses the composer's text; null when it is not (or no longer) one of the index's commands. */
export function parseCommand(text: string, index: CommandIndex): ParsedCommand | null {
  const head = /^\/(\S*)(\s+)?/.exec(text);
  if (!head) return null;
  if (!head[2]) return { stage: 'command', typed: head[1]!.toLowerCase() };
  const name = head[1]!.toLowerCase();
  const command = index.application_commands.find((c) => (c.type ?? 1) === 1 && c.name === name);
  if (!command) return null;
  let rest = text.slice(head[0].length);
  let offset = head[0].length;
  let options = command.options ?? [];
  const path: CommandOption[] = [];
  while (options.some(isGroup)) {
    const word = /^(\S*)(\s+)?/.exec(rest)!;
    const choices = options.filter(isGroup);
    if (!word[2]) return { stage: 'subcommand', command, path, choices, typed: word[1]!.toLowerCase() };
    const sub = choices.find((o) => o.name === word[1]!.toLowerCase());
    if (!sub) return null;
    path.push(sub);
    options = sub.options ?? [];
    rest = rest.slice(word[0].length);
    offset += word[0].length;
  }
  const values: TypedValue[] = [];
  if (options.length) {
    // Longest names first, so `city` never takes the `city` out of `city_code:`.
    const names = options.map((o) => o.name).sort((a, b) => b.length - a.length);
    const re = new RegExp(`(^|\\s)(${names.map(escapeRegExp).join('|')}):`, 'g');
    const found = Array.from(rest.matchAll(re));
    found.forEach((m, i) => {
      const nameStart = m.index + m[1]!.length;
      const valueStart = m.index + m[0].length;
      const next = found[i + 1];
      const end = next ? next.index + next[1]!.length : rest.length;
      const option = options.find((o) => o.name === m[2])!;
      values.push({ option, raw: rest.slice(valueStart, end).trim(), start: offset + nameStart });
    });
  }
  const last = values[values.length - 1];
  const endsInSpace = /\s$/.test(text);
  const lastWord = endsInSpace ? '' : (/(^|\s)([^\s:]+)$/.exec(rest)?.[2] ?? '');
  return {
    stage: 'options',
    command,
    path,
    options,
    values,
    current: last && !endsInSpace ? last : null,
    partial: lastWord && (!last || lastWord !== last.raw) ? lastWord.toLowerCase() : '',
  };
}

/** The options to offer next: those not given yet, required first (Discord's order within each). */
export function remainingOptions(parsed: Extract<ParsedCommand, { stage: 'options' }>): CommandOption[] {
  const given = new Set(parsed.values.filter((v) => v.raw).map((v) => v.option.name));
  const left = parsed.options.filter((o) => !given.has(o.name));
  return [...left.filter((o) => o.required), ...left.filter((o) => !o.required)];
}

/** Required options without a value. */
export function missingOptions(parsed: Extract<ParsedCommand, { stage: 'options' }>): CommandOption[] {
  return remainingOptions(parsed).filter((o) => o.required);
}

function guildOf(channelId: string) {
  const guildId = findChannel(channelId)?.guild_id;
  return guildId ? state.guilds.get(guildId) : undefined;
}

/** Values to offer for an option (besides autocomplete, which the application answers), filtered by `raw`. */
export function valueChoices(option: CommandOption, raw: string, channelId: string): CommandChoice[] {
  const q = raw.replace(/^[@#]/, '').toLowerCase();
  const match = (s: string) => s.toLowerCase().includes(q);
  const guild = guildOf(channelId);
  let out: CommandChoice[] = [];
  if (option.choices?.length) out = option.choices.filter((c) => match(c.name));
  else if (option.type === 5) out = ['True', 'False'].filter(match).map((n) => ({ name: n, value: n }));
  else if (option.type === 6 || option.type === 9) {
    const users = guild
      ? [...guild.memberMap.values()].map((m) => m.user)
      : (findChannel(channelId)?.recipients ?? []).concat(state.me ? [state.me] : []);
    out = users
      .filter((u) => match(u.username) || match(displayName(u)))
      .map((u) => ({ name: `@${u.username}`, value: u.id }));
  }
  if ((option.type === 8 || option.type === 9) && guild) {
    out = out.concat(
      guild.roles.filter((r) => r.id !== guild.id && match(r.name)).map((r) => ({ name: `@${r.name}`, value: r.id })),
    );
  }
  if (option.type === 7 && guild) {
    out = guild.channels
      .filter((c) => (!option.channel_types?.length || option.channel_types.includes(c.type)) && match(c.name ?? ''))
      .map((c) => ({ name: `#${c.name ?? c.id}`, value: c.id }));
  }
  return out.slice(0, 25);
}

/**
 * A typed value as Discord's option value: a choice's value by its name (or one the application offered), numbers
 * and booleans parsed, users/roles/channels by mention or name; an error message when it is not valid.
 */
export function optionValue(
  option: CommandOption,
  raw: string,
  channelId: string,
  offered: CommandChoice[] = [],
): { value: string | number | boolean } | { error: string } {
  const named = [...(option.choices ?? []), ...offered].find((c) => c.name.toLowerCase() === raw.toLowerCase());
  if (named) return { value: named.value };
  if (option.choices?.length) return { error: `${option.name}: pick one of the choices` };
  const label = OPTION_TYPE_NAMES[option.type] ?? 'value';
  switch (option.type) {
    case 4:
      return /^-?\d{1,16}$/.test(raw) ? { value: Number(raw) } : { error: `${option.name} must be an ${label}` };
    case 10:
      return raw !== '' && Number.isFinite(Number(raw))
        ? { value: Number(raw) }
        : { error: `${option.name} must be a number` };
    case 5:
      if (/^(true|yes)$/i.test(raw)) return { value: true };
      if (/^(false|no)$/i.test(raw)) return { value: false };
      return { error: `${option.name} must be True or False` };
    case 6:
    case 7:
    case 8:
    case 9: {
      const mention = /^<(?:@[!&]?|#)(\d{1,20})>$/.exec(raw);
      if (mention) return { value: mention[1]! };
      const hit = valueChoices(option, raw, channelId).find((c) => c.name.toLowerCase() === raw.toLowerCase());
      return hit ? { value: hit.value } : { error: `${option.name}: no ${label} named ${raw}` };
    }
    case 11:
      return { error: `${option.name}: choose a file` };
    default:
      return { value: raw };
  }
}

/** Wraps leaf options in the chosen subcommand (and group), as Discord nests them. */
export function nestOptions(path: CommandOption[], leaf: Record<string, unknown>[]): Record<string, unknown>[] {
  let out = leaf;
  for (const sub of [...path].reverse()) out = [{ type: sub.type, name: sub.name, options: out }];
  return out;
}
