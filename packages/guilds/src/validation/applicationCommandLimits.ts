/**
 * Discord's limits on an application command body (docs/protocol.md, "Form validation", "Application commands").
 * Lengths are in characters (Unicode code points).
 */
export const applicationCommandLimits = {
  /** A command's or option's `name`, and a choice's `name`: the longest. Names are at least 1 character. */
  name: 32,
  /** A command's or option's `description` (1..100 for CHAT_INPUT and options). */
  description: 100,
  /** A choice's `name` (1..100). */
  choiceName: 100,
  /** A STRING choice's `value` (1..100). */
  choiceValue: 100,
  /** Options of one command, subcommand group or subcommand. */
  options: 25,
  /** Choices of one option. */
  choices: 25,
  /** The largest `min_length` / `max_length` of a STRING option. */
  stringLength: 6000,
  /** The largest magnitude of an INTEGER or NUMBER option's `min_value`, `max_value` and choice values (2^53). */
  numberMagnitude: 2 ** 53,
  /** Name, description and values of a command, its options and choices, summed (longest localization per field). */
  commandTotal: 8000,
  /** Commands of each type in one application (bulk overwrite): CHAT_INPUT, USER, MESSAGE. */
  chatInputCommands: 100,
  userCommands: 15,
  messageCommands: 15,
} as const;
