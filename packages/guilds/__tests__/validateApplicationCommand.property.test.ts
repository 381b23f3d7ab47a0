import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FormErrors,
  InvalidFormBodyError,
  ValidationError,
  validateApplicationCommand,
  validateApplicationCommandList,
} from '../src/index.js';

/**
 * The application command validators against inputs nobody wrote by hand: arbitrary JSON and command-shaped bodies
 * with random values never throw anything but a ValidationError, finish within a time budget, answer with an error
 * object bounded by the input's size, and return a value only when they found no error; generated valid commands are
 * accepted.
 */

const parameters = { numRuns: 300, interruptAfterTimeLimit: 8_000 };
/** Per call: generous for the machine's load, far beyond what a bounded input needs. */
const timeBudgetMs = 250;
/** Error bytes per input byte, plus a fixed part. */
const bytesPerInputByte = 80;
const fixedBytes = 400;

const json = fc.jsonValue({ maxDepth: 3 });
const text = fc.oneof(
  fc.constantFrom('ping', 'Ping', 'a b', '', 'नमस्ते', 'x'.repeat(33), 'd'.repeat(101)),
  fc.string({ maxLength: 40 }),
);
const localizations = fc.oneof(
  json,
  fc.dictionary(fc.constantFrom('fr', 'de', 'en-US', 'xx', '__proto__'), fc.oneof(text, json)),
);
const choice = fc.record(
  {
    name: fc.oneof(text, json),
    value: fc.oneof(text, fc.integer(), fc.double(), json),
    name_localizations: localizations,
  },
  { requiredKeys: [] },
);
const leafOption = fc.record(
  {
    type: fc.oneof(fc.integer({ min: 0, max: 12 }), json),
    name: fc.oneof(text, json),
    description: fc.oneof(text, json),
    name_localizations: localizations,
    required: fc.oneof(fc.boolean(), json),
    choices: fc.oneof(json, fc.array(choice, { maxLength: 27 })),
    autocomplete: fc.oneof(fc.boolean(), json),
    min_value: fc.oneof(fc.double(), fc.integer(), json),
    max_value: fc.oneof(fc.double(), fc.integer(), json),
    min_length: fc.oneof(fc.integer({ min: -5, max: 7000 }), json),
    max_length: fc.oneof(fc.integer({ min: -5, max: 7000 }), json),
    channel_types: fc.oneof(json, fc.array(fc.integer({ min: -1, max: 20 }), { maxLength: 20 })),
    options: json,
  },
  { requiredKeys: [] },
);
const { option } = fc.letrec<{ option: unknown }>((tie) => ({
  option: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafOption,
    fc.record({
      type: fc.constantFrom(1, 2),
      name: text,
      description: text,
      options: fc.array(tie('option'), { maxLength: 4 }),
    }),
  ),
}));
const commandish = fc.record(
  {
    type: fc.oneof(fc.integer({ min: 0, max: 5 }), json),
    name: fc.oneof(text, json),
    description: fc.oneof(text, json),
    name_localizations: localizations,
    description_localizations: localizations,
    options: fc.oneof(json, fc.array(option, { maxLength: 6 })),
    default_member_permissions: fc.oneof(fc.constantFrom('8', '0', '18446744073709551616', 'x'), json),
    dm_permission: json,
    nsfw: json,
    contexts: fc.oneof(json, fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 4 })),
    integration_types: fc.oneof(json, fc.array(fc.integer({ min: -1, max: 2 }), { maxLength: 3 })),
  },
  { requiredKeys: [] },
);
const bodyArb = fc.oneof(json, commandish);

/** Valid CHAT_INPUT commands: lowercase names, descriptions of 1..100, options of one level in a valid order. */
const name = fc.stringMatching(/^[a-z0-9_-]{1,32}$/);
const validOption = fc.record({
  type: fc.constantFrom(3, 4, 5, 6, 7, 8, 9, 10, 11),
  name,
  description: fc.string({ minLength: 1, maxLength: 100 }).filter((d) => d.length > 0),
  required: fc.boolean(),
});
const validCommand = fc
  .record({
    name,
    description: fc.constantFrom('A command', 'd'),
    options: fc.uniqueArray(validOption, { maxLength: 25, selector: (o) => o.name }),
  })
  .map((command) => ({
    ...command,
    // Required options first, as Discord requires.
    options: [...command.options].sort((a, b) => Number(b.required) - Number(a.required)),
  }));

function timed<T>(run: () => T): T {
  const start = performance.now();
  let outcome: { value: T } | { error: unknown };
  try {
    outcome = { value: run() };
  } catch (error) {
    outcome = { error };
  }
  const elapsed = performance.now() - start;
  if (elapsed > timeBudgetMs) throw new Error(`took ${elapsed.toFixed(1)} ms`);
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

/** Runs `validate` with a fresh collector and checks the properties common to both validators. */
function checkProperties(body: unknown, validate: (body: unknown, errors: FormErrors) => unknown): void {
  const errors = new FormErrors();
  const inputSize = JSON.stringify(body)?.length ?? 0;
  try {
    const value = timed(() => validate(body, errors));
    expect(errors.isEmpty).toBe(true);
    expect(value).toBeDefined();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    expect(error).toBeInstanceOf(InvalidFormBodyError);
    expect(errors.count).toBeGreaterThan(0);
    expect(error.body).toEqual(errors.toJSON());
    expect(JSON.stringify(error.body).length).toBeLessThanOrEqual(fixedBytes + bytesPerInputByte * inputSize);
  }
}

describe('validateApplicationCommand on hostile bodies (property)', () => {
  it('throws only ValidationError, in budget, bounded in size, and returns a value only without errors', () => {
    fc.assert(
      fc.property(bodyArb, (body) => checkProperties(body, validateApplicationCommand)),
      parameters,
    );
  });

  it('validateApplicationCommandList: same properties for lists of such bodies', () => {
    fc.assert(
      fc.property(fc.oneof(json, fc.array(bodyArb, { maxLength: 8 })), (body) =>
        checkProperties(body, validateApplicationCommandList),
      ),
      parameters,
    );
  });

  it('accepts generated valid commands', () => {
    fc.assert(
      fc.property(validCommand, (command) => {
        expect(validateApplicationCommand(command)).toMatchObject({ type: 1, name: command.name });
      }),
      parameters,
    );
  });
});
