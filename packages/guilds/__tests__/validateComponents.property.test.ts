import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormErrors } from '../src/validation/FormErrors.js';
import { ValidationError } from '../src/validation/ValidationError.js';
import { validateMessageComponents, validateModal } from '../src/validation/validateComponents.js';
import { validateMessageContent } from '../src/validation/validateMessageContent.js';

/**
 * The component and modal validators against inputs nobody wrote by hand: arbitrary JSON and component-shaped values
 * never throw, finish within a time budget, answer with errors bounded by the input's size, and return a value only
 * when they found no error; generated valid components and modals come back exactly as sent.
 */

const parameters = { numRuns: 300, interruptAfterTimeLimit: 8_000 };
/** Per call: generous for the machine's load, far beyond what a bounded input needs. */
const timeBudgetMs = 250;
/** Error bytes per input byte, plus a fixed part. */
const bytesPerInputByte = 80;
const fixedBytes = 400;

const json = fc.jsonValue({ maxDepth: 3 });
const text = fc.oneof(
  fc.constantFrom('', 'a', 'x'.repeat(46), 'x'.repeat(81), 'x'.repeat(101), 'https://example.com', 'discord://x'),
  fc.string({ maxLength: 30 }),
);
const int = fc.oneof(fc.integer({ min: -2, max: 30 }), fc.constantFrom(2 ** 31, 4001, 1.5));
const anyOf = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, json);
const emojiish = anyOf(fc.record({ id: anyOf(text), name: anyOf(text), animated: json }, { requiredKeys: [] }));
const optionish = anyOf(
  fc.record(
    { label: anyOf(text), value: anyOf(fc.constantFrom('a', 'b', 'c')), description: anyOf(text), emoji: emojiish },
    { requiredKeys: [] },
  ),
);
const itemish = fc.record(
  {
    type: anyOf(fc.integer({ min: 0, max: 20 })),
    style: anyOf(fc.integer({ min: 0, max: 7 })),
    custom_id: anyOf(fc.constantFrom('a', 'b', 'c', '')),
    label: anyOf(text),
    url: anyOf(text),
    sku_id: anyOf(fc.constantFrom('1', 'x')),
    emoji: emojiish,
    disabled: json,
    id: anyOf(int),
    placeholder: anyOf(text),
    min_values: anyOf(int),
    max_values: anyOf(int),
    min_length: anyOf(int),
    max_length: anyOf(int),
    value: anyOf(text),
    options: anyOf(fc.array(optionish, { maxLength: 27 })),
    default_values: anyOf(
      fc.array(fc.record({ type: anyOf(fc.constantFrom('user', 'role', 'channel')), id: anyOf(text) }), {
        maxLength: 27,
      }),
    ),
    channel_types: anyOf(fc.array(int, { maxLength: 20 })),
  },
  { requiredKeys: [] },
);
const rowish = fc.record(
  {
    type: anyOf(fc.integer({ min: 0, max: 20 })),
    id: anyOf(int),
    components: anyOf(fc.array(itemish, { maxLength: 7 })),
  },
  { requiredKeys: [] },
);
const componentsArb = anyOf(fc.array(anyOf(rowish), { maxLength: 7 }));
const labelish = fc.record(
  { type: fc.constant(18), label: anyOf(text), description: anyOf(text), component: anyOf(itemish) },
  { requiredKeys: [] },
);
const modalArb = anyOf(
  fc.record(
    {
      title: anyOf(text),
      custom_id: anyOf(text),
      components: anyOf(fc.array(fc.oneof(rowish, labelish, itemish), { maxLength: 7 })),
    },
    { requiredKeys: [] },
  ),
);

/** Valid message components: rows of up to 5 buttons or one select, custom_ids unique (made so by their position). */
const label = fc.string({ minLength: 1, maxLength: 80 });
const emoji = fc.oneof(
  fc.record({ name: fc.string({ minLength: 1, maxLength: 32 }) }),
  fc.record({ id: fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }).map(String), name: fc.string({ maxLength: 32 }) }),
);
const buttonArb = fc.oneof(
  fc.record(
    { type: fc.constant(2), style: fc.integer({ min: 1, max: 4 }), label, emoji, disabled: fc.boolean() },
    { requiredKeys: ['type', 'style'] },
  ),
  fc.record(
    { type: fc.constant(2), style: fc.constant(5), label, url: fc.webUrl().filter((url) => url.length <= 512) },
    { requiredKeys: ['type', 'style', 'url'] },
  ),
  fc.record({ type: fc.constant(2), style: fc.constant(6), sku_id: fc.constantFrom('1', '1180000000000000000') }),
);
const optionArb = fc.record(
  {
    label: fc.string({ minLength: 1, maxLength: 100 }),
    value: fc.string({ minLength: 1, maxLength: 100 }),
    description: fc.string({ maxLength: 100 }),
    emoji,
  },
  { requiredKeys: ['label', 'value'] },
);
const selectArb = fc.oneof(
  fc
    .record({
      type: fc.constant(3),
      options: fc.uniqueArray(optionArb, { minLength: 1, maxLength: 25, selector: (option) => option.value }),
      placeholder: fc.string({ maxLength: 150 }),
    })
    .chain((select) =>
      fc.integer({ min: 1, max: select.options.length }).map((max) => ({ ...select, min_values: 0, max_values: max })),
    ),
  fc.record(
    {
      type: fc.constantFrom(5, 6, 7),
      disabled: fc.boolean(),
      max_values: fc.integer({ min: 1, max: 25 }),
    },
    { requiredKeys: ['type'] },
  ),
  fc.record({
    type: fc.constant(8),
    channel_types: fc.uniqueArray(fc.constantFrom(0, 2, 4, 5, 10, 11, 12, 13, 15, 16)),
  }),
);
/** Gives each interactive item a custom_id unique in the message. */
function withIds(rows: unknown[][]): unknown[] {
  return rows.map((items, r) => ({
    type: 1,
    components: items.map((item, i) => {
      const component = item as { type: number; style?: number };
      const interactive = component.type !== 2 || (component.style !== 5 && component.style !== 6);
      return interactive ? { ...component, custom_id: `c${r}-${i}` } : component;
    }),
  }));
}
const validComponents = fc
  .array(
    fc.oneof(
      fc.array(buttonArb, { minLength: 1, maxLength: 5 }),
      selectArb.map((select) => [select]),
    ),
    {
      maxLength: 5,
    },
  )
  .map(withIds);
const textInputArb = fc.record(
  {
    type: fc.constant(4),
    style: fc.constantFrom(1, 2),
    placeholder: fc.string({ maxLength: 100 }),
    required: fc.boolean(),
    min_length: fc.integer({ min: 0, max: 10 }),
    max_length: fc.integer({ min: 10, max: 4000 }),
    value: fc.string({ maxLength: 10 }),
  },
  { requiredKeys: ['type', 'style'] },
);
const validModal = fc
  .record({
    title: fc.string({ minLength: 1, maxLength: 45 }).filter((title) => title.trim() !== ''),
    custom_id: fc.string({ minLength: 1, maxLength: 100 }),
    components: fc.array(
      fc.oneof(
        textInputArb.map((input) => ({ type: 1, components: [{ ...input, label: 'Label' }] })),
        fc.record({ type: fc.constant(18), label: fc.constant('L'), component: fc.oneof(textInputArb, selectArb) }),
        fc.record({
          type: fc.constant(10),
          content: fc.string({ minLength: 1, maxLength: 4000 }).filter((c) => c.trim() !== ''),
        }),
      ),
      { minLength: 1, maxLength: 5 },
    ),
  })
  .map((body) => ({
    ...body,
    components: body.components.map((component, i) => {
      if ('components' in component)
        return { ...component, components: [{ ...component.components[0], custom_id: `i${i}` }] };
      if ('component' in component) return { ...component, component: { ...component.component, custom_id: `i${i}` } };
      return component;
    }),
  }));

/** Runs `validate` with a fresh collector, within the time budget, and checks the properties common to both. */
function checkProperties(value: unknown, validate: (value: unknown, errors: FormErrors) => unknown): void {
  const errors = new FormErrors();
  const inputSize = JSON.stringify(value)?.length ?? 0;
  const start = performance.now();
  const result = validate(value, errors);
  const elapsed = performance.now() - start;
  if (elapsed > timeBudgetMs) throw new Error(`took ${elapsed.toFixed(1)} ms`);
  if (errors.isEmpty) return;
  expect(result).toBeUndefined();
  expect(JSON.stringify(errors.toJSON()).length).toBeLessThanOrEqual(fixedBytes + bytesPerInputByte * inputSize);
}

describe('validateMessageComponents and validateModal on hostile input (property)', () => {
  it('validateMessageComponents: never throws, in budget, bounded errors, a value only without errors', () => {
    fc.assert(
      fc.property(componentsArb, (value) => checkProperties(value, (v, e) => validateMessageComponents(v, e))),
      parameters,
    );
  });

  it('validateModal: same properties', () => {
    fc.assert(
      fc.property(modalArb, (value) => checkProperties(value, (v, e) => validateModal(v, e))),
      parameters,
    );
  });

  it('validateMessageContent with components: throws only ValidationError, with or without components allowed', () => {
    fc.assert(
      fc.property(componentsArb, json, fc.boolean(), (components, flags, allowed) => {
        try {
          validateMessageContent({ content: 'x', components, flags }, { components: allowed });
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
        }
      }),
      parameters,
    );
  });

  it('returns generated valid components unchanged', () => {
    fc.assert(
      fc.property(validComponents, (value) => {
        const errors = new FormErrors();
        const result = validateMessageComponents(value, errors);
        expect(errors.toJSON().errors).toEqual({});
        expect(result).toEqual(value);
      }),
      parameters,
    );
  });

  it('returns generated valid modals unchanged', () => {
    fc.assert(
      fc.property(validModal, (value) => {
        const errors = new FormErrors();
        const result = validateModal(value, errors);
        expect(errors.toJSON().errors).toEqual({});
        expect(result).toEqual(value);
      }),
      parameters,
    );
  });
});
