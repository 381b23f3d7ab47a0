import type { APIApplicationCommandOption, APIMessage } from 'discord-api-types/v10';
import { ApplicationCommandType, ApplicationCommandOptionType as T } from 'discord-api-types/v10';
import type { CommandRecord } from '../model/interactionRecords.js';
import { checkArray } from '../validation/checkArray.js';
import { checkObject } from '../validation/checkObject.js';
import { checkSnowflake } from '../validation/checkSnowflake.js';
import type { FormErrorPath, FormErrors } from '../validation/FormErrors.js';
import { textLength } from '../validation/textLength.js';
import type { ResolvedData } from './ResolvedData.js';

/** An invoked option as INTERACTION_CREATE carries it. */
export interface InvokedOption {
  name: string;
  type: T;
  value?: string | number | boolean;
  focused?: boolean;
  options?: InvokedOption[];
}

/** What the check found: the options, cleaned, and the full name (`cmd group sub`) for messages' `interaction.name`. */
export interface CheckedInvocation {
  options: InvokedOption[] | undefined;
  fullName: string;
  /** The focused option of an autocomplete interaction. */
  focused: { option: APIApplicationCommandOption } | null;
}

/** Error codes of a refused invocation (ours: Discord's own client never sends one that does not fit). */
const codes = {
  unknown: 'APPLICATION_COMMAND_OPTION_UNKNOWN',
  type: 'APPLICATION_COMMAND_OPTION_TYPE_INVALID',
  value: 'APPLICATION_COMMAND_OPTION_VALUE_INVALID',
  required: 'BASE_TYPE_REQUIRED',
  focus: 'APPLICATION_COMMAND_AUTOCOMPLETE_INVALID',
} as const;

const MAX_OPTIONS = 25;
const MAX_STRING = 6000;

/**
 * Checks a CHAT_INPUT invocation's `data.options` against the registered command, as Discord does before it tells the
 * application: known names of the right types, one subcommand (in its group) when the command has them, every
 * required option (not for autocomplete), values within the option's choices, lengths and ranges, and users, roles,
 * channels that exist where the command runs (added to `resolved`). Autocomplete: exactly one focused option, one
 * that has `autocomplete`, whose value is the text typed so far. Errors go to `errors` at `data.options…`.
 */
export async function checkCommandInvocation(
  command: CommandRecord,
  data: Record<string, unknown>,
  resolved: ResolvedData,
  errors: FormErrors,
  autocomplete: boolean,
): Promise<CheckedInvocation> {
  const out: CheckedInvocation = { options: undefined, fullName: command.name, focused: null };
  if (command.type !== ApplicationCommandType.ChatInput) return out;
  const walk = new OptionWalk(resolved, errors, autocomplete);
  out.options = await walk.level(command.options ?? [], data.options, ['data', 'options'], out, 0);
  if (autocomplete && walk.focused === null) errors.add(['data', 'options'], codes.focus, 'No option is focused.');
  out.focused = walk.focused;
  return out;
}

/** Checks a USER or MESSAGE command's `target_id` (the target goes to `resolved`); returns it. */
export async function checkCommandTarget(
  command: CommandRecord,
  data: Record<string, unknown>,
  resolved: ResolvedData,
  errors: FormErrors,
  findMessage: (id: string) => Promise<APIMessage | null>,
): Promise<string | undefined> {
  if (command.type === ApplicationCommandType.ChatInput) return undefined;
  const path = ['data', 'target_id'];
  const target = checkSnowflake(data.target_id, errors, path);
  if (target === undefined) {
    if (data.target_id === undefined) errors.add(path, codes.required, 'This field is required');
    return undefined;
  }
  if (command.type === ApplicationCommandType.User) {
    if (!(await resolved.user(target))) errors.add(path, codes.value, 'Unknown user.');
  } else {
    const message = await findMessage(target);
    if (message) resolved.message(message);
    else errors.add(path, codes.value, 'Unknown message.');
  }
  return target;
}

class OptionWalk {
  focused: { option: APIApplicationCommandOption } | null = null;
  #focusCount = 0;
  constructor(
    private readonly resolved: ResolvedData,
    private readonly errors: FormErrors,
    private readonly autocomplete: boolean,
  ) {}

  async level(
    defs: readonly APIApplicationCommandOption[],
    raw: unknown,
    path: FormErrorPath,
    out: CheckedInvocation,
    depth: number,
  ): Promise<InvokedOption[] | undefined> {
    const items = checkArray(raw, this.errors, path, MAX_OPTIONS) ?? [];
    const nested = defs.some((d) => d.type === T.Subcommand || d.type === T.SubcommandGroup);
    if (nested) return this.#subcommand(defs, items, path, out, depth);
    const seen = new Set<string>();
    const result: InvokedOption[] = [];
    for (const [i, item] of items.entries()) {
      const at = [...path, i];
      const source = checkObject(item, this.errors, at);
      if (!source) continue;
      const def = defs.find((d) => d.name === source.name);
      if (!def || seen.has(def.name)) {
        this.errors.add([...at, 'name'], codes.unknown, def ? 'Option given twice.' : 'Unknown option.');
        continue;
      }
      seen.add(def.name);
      if (source.type !== def.type) {
        this.errors.add([...at, 'type'], codes.type, `Option "${def.name}" is of type ${def.type}.`);
        continue;
      }
      const option = await this.#value(def, source, at);
      if (option) result.push(option);
    }
    if (!this.autocomplete) {
      for (const def of defs) {
        if ('required' in def && def.required === true && !seen.has(def.name))
          this.errors.add(path, codes.required, `Option "${def.name}" is required.`);
      }
    }
    return items.length === 0 && raw === undefined ? undefined : result;
  }

  async #subcommand(
    defs: readonly APIApplicationCommandOption[],
    items: readonly unknown[],
    path: FormErrorPath,
    out: CheckedInvocation,
    depth: number,
  ): Promise<InvokedOption[] | undefined> {
    if (items.length !== 1 || depth > 1) {
      this.errors.add(path, codes.required, 'Exactly one subcommand is required.');
      return undefined;
    }
    const at = [...path, 0];
    const source = checkObject(items[0], this.errors, at);
    if (!source) return undefined;
    const def = defs.find((d) => d.name === source.name && (d.type === T.Subcommand || d.type === T.SubcommandGroup));
    if (!def || source.type !== def.type) {
      this.errors.add([...at, 'name'], codes.unknown, 'Unknown subcommand.');
      return undefined;
    }
    out.fullName = `${out.fullName} ${def.name}`;
    const children =
      'options' in def && Array.isArray(def.options) ? (def.options as APIApplicationCommandOption[]) : [];
    const options = await this.level(children, source.options, [...at, 'options'], out, depth + 1);
    return [{ name: def.name, type: def.type, ...(options ? { options } : {}) }];
  }

  async #value(
    def: APIApplicationCommandOption,
    source: Record<string, unknown>,
    at: FormErrorPath,
  ): Promise<InvokedOption | undefined> {
    const valuePath = [...at, 'value'];
    const value = source.value;
    if (source.focused === true) {
      this.#focusCount += 1;
      const allowed = this.autocomplete && 'autocomplete' in def && def.autocomplete === true;
      if (!allowed || this.#focusCount > 1) {
        this.errors.add([...at, 'focused'], codes.focus, 'This option cannot be focused.');
        return undefined;
      }
      // The text typed so far: any string (a number option's too, as Discord's client sends it).
      if (typeof value !== 'string' && typeof value !== 'number') return this.#bad(valuePath, 'Must be a string.');
      if (typeof value === 'string' && value.length > MAX_STRING) return this.#bad(valuePath, 'Too long.');
      this.focused = { option: def };
      return { name: def.name, type: def.type, value, focused: true };
    }
    const checked = await this.#typed(def, value, valuePath);
    return checked === undefined ? undefined : { name: def.name, type: def.type, value: checked };
  }

  async #typed(def: APIApplicationCommandOption, value: unknown, path: FormErrorPath) {
    const choices = 'choices' in def && Array.isArray(def.choices) && def.choices.length > 0 ? def.choices : null;
    switch (def.type) {
      case T.String: {
        if (typeof value !== 'string') return this.#bad(path, 'Must be a string.');
        const length = value.length > MAX_STRING * 2 ? MAX_STRING + 1 : textLength(value);
        const min = def.min_length ?? 0;
        const max = Math.min(def.max_length ?? MAX_STRING, MAX_STRING);
        if (length < min || length > max) return this.#bad(path, `Must be between ${min} and ${max} in length.`);
        if (choices && !choices.some((c) => c.value === value)) return this.#bad(path, 'Not one of the choices.');
        return value;
      }
      case T.Integer:
      case T.Number: {
        const integer = def.type === T.Integer;
        if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isSafeInteger(value)))
          return this.#bad(path, integer ? 'Must be an integer.' : 'Must be a number.');
        if (def.min_value !== undefined && value < def.min_value) return this.#bad(path, `Below ${def.min_value}.`);
        if (def.max_value !== undefined && value > def.max_value) return this.#bad(path, `Above ${def.max_value}.`);
        if (choices && !choices.some((c) => c.value === value)) return this.#bad(path, 'Not one of the choices.');
        return value;
      }
      case T.Boolean:
        return typeof value === 'boolean' ? value : this.#bad(path, 'Must be a boolean.');
      case T.User:
      case T.Role:
      case T.Mentionable:
      case T.Channel:
        return this.#entity(def, value, path);
      case T.Attachment: {
        const id =
          typeof value === 'string' || typeof value === 'number' ? this.resolved.attachment(String(value)) : undefined;
        return id ?? this.#bad(path, 'No file was uploaded for this option.');
      }
      default:
        return this.#bad(path, 'Unknown option type.');
    }
  }

  async #entity(def: APIApplicationCommandOption, value: unknown, path: FormErrorPath) {
    if (typeof value !== 'string' || !/^\d{1,20}$/.test(value)) return this.#bad(path, 'Must be a snowflake.');
    const r = this.resolved;
    const found =
      def.type === T.User
        ? await r.user(value)
        : def.type === T.Role
          ? r.role(value)
          : def.type === T.Mentionable
            ? r.role(value) || (await r.user(value))
            : r.channel(value, 'channel_types' in def ? def.channel_types : undefined);
    return found ? value : this.#bad(path, 'Unknown or not allowed here.');
  }

  #bad(path: FormErrorPath, message: string): undefined {
    this.errors.add(path, codes.value, message);
    return undefined;
  }
}
