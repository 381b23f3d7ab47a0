/**
 * Discord's limits on message components and modals (docs/protocol.md, "Message components and modals"). Lengths are
 * in characters (Unicode code points); counts are items of one list.
 */
export const componentLimits = {
  /** Action rows in one message (without IS_COMPONENTS_V2, which is not supported here). */
  actionRows: 5,
  /** Items of one action row (1..5), and the row's width: a button is 1 wide, a select or text input 5. */
  rowWidth: 5,
  /** A `custom_id` (1..100), unique within its message or modal. */
  customId: 100,
  /** A button's `label`. */
  buttonLabel: 80,
  /** A link button's `url`. */
  buttonUrl: 512,
  /** An emoji's `name`. */
  emojiName: 32,
  /** A select's `placeholder`. */
  placeholder: 150,
  /** A select's `min_values` (0..25) and `max_values` (1..25). */
  selectValues: 25,
  /** A string select's `options` (1..25). */
  selectOptions: 25,
  /** An option's `label`, `value` (1..100) and `description`. */
  optionText: 100,
  /** An auto-populated select's `default_values`. */
  defaultValues: 25,
  /** The largest component `id` (a positive 32-bit integer). */
  componentId: 2 ** 31 - 1,
  /** A modal's `title` (1..45). */
  modalTitle: 45,
  /** Top-level components of a modal (1..5). */
  modalComponents: 5,
  /** A text input's or Label's `label` (1..45). */
  inputLabel: 45,
  /** A Label's `description`. */
  labelDescription: 100,
  /** A text input's `placeholder`. */
  inputPlaceholder: 100,
  /** A text input's `value`, `min_length` (0..4000) and `max_length` (1..4000). */
  inputLength: 4000,
  /** A modal's text display `content` (1..4000). */
  textDisplay: 4000,
} as const satisfies Record<string, number>;
