import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormErrors, ValidationError } from '../src/index.js';
import { checkCommandInvocation } from '../src/interactions/checkCommandInvocation.js';
import { checkComponentInteraction } from '../src/interactions/checkComponentInteraction.js';
import { checkModalSubmit } from '../src/interactions/checkModalSubmit.js';
import { readCallback } from '../src/interactions/readCallback.js';
import { readInvocation } from '../src/interactions/readInvocation.js';
import type { CommandRecord } from '../src/model/interactionRecords.js';

/**
 * The interaction decoders — `POST /interactions` bodies, callback bodies, options against a command, component
 * values against a message, modal answers against a modal — against inputs nobody wrote by hand: they never throw
 * anything but a ValidationError, finish within a time budget, and their errors stay bounded by the input's size.
 */

const parameters = { numRuns: 300, interruptAfterTimeLimit: 8_000 };
/** Per call: generous for the machine's load, far beyond what a bounded input needs. */
const timeBudgetMs = 250;
const bytesPerInputByte = 80;
const fixedBytes = 600;

const json = fc.jsonValue({ maxDepth: 4 });
const snowflake = fc.oneof(
  fc.constantFrom('1', '123456789012345678', '99999999999999999999'),
  fc.string({ maxLength: 22 }),
);
const option = fc.record(
  {
    type: fc.oneof(fc.integer({ min: 0, max: 12 }), json),
    name: fc.oneof(fc.constantFrom('text', 'count', 'who', 'sub', 'group'), json),
    value: fc.oneof(fc.string({ maxLength: 50 }), fc.integer(), fc.double(), fc.boolean(), snowflake, json),
    focused: fc.oneof(fc.boolean(), json),
    options: json,
  },
  { requiredKeys: [] },
);
const invocation = fc.record(
  {
    type: fc.oneof(fc.integer({ min: 0, max: 6 }), json),
    application_id: fc.oneof(snowflake, json),
    channel_id: fc.oneof(snowflake, json),
    guild_id: fc.oneof(snowflake, json),
    session_id: fc.oneof(fc.string({ maxLength: 200 }), json),
    nonce: fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), json),
    message_id: fc.oneof(snowflake, json),
    data: fc.oneof(
      json,
      fc.record(
        {
          id: fc.oneof(snowflake, json),
          name: json,
          type: json,
          options: fc.oneof(json, fc.array(option, { maxLength: 30 })),
          custom_id: fc.oneof(fc.constantFrom('open', 'pick', 'modal'), json),
          component_type: fc.oneof(fc.integer({ min: 0, max: 9 }), json),
          values: fc.oneof(
            json,
            fc.array(fc.oneof(fc.constantFrom('red', 'blue'), snowflake, json), { maxLength: 30 }),
          ),
          components: json,
          target_id: fc.oneof(snowflake, json),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);
const callback = fc.record(
  {
    type: fc.oneof(fc.integer({ min: 0, max: 12 }), json),
    data: fc.oneof(
      json,
      fc.record(
        {
          content: fc.oneof(fc.string({ maxLength: 2100 }), json),
          flags: fc.oneof(fc.integer(), json),
          components: json,
          choices: fc.oneof(json, fc.array(fc.record({ name: json, value: json }), { maxLength: 30 })),
          title: json,
          custom_id: json,
          embeds: json,
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);

const command: CommandRecord = {
  id: '1',
  application_id: '2',
  version: '3',
  type: 1,
  name: 'echo',
  description: 'Echoes',
  default_member_permissions: null,
  options: [
    { type: 3, name: 'text', description: 't', required: true, autocomplete: true, max_length: 20 },
    { type: 4, name: 'count', description: 'c', min_value: 1, max_value: 3 },
    { type: 6, name: 'who', description: 'w' },
  ],
};
const components = [
  { type: 1, components: [{ type: 2, style: 1, custom_id: 'open', label: 'Open' }] },
  {
    type: 1,
    components: [
      {
        type: 3,
        custom_id: 'pick',
        options: [
          { label: 'Red', value: 'red' },
          { label: 'Blue', value: 'blue' },
        ],
      },
    ],
  },
];
const modal = {
  custom_id: 'modal',
  components: [{ type: 1, components: [{ type: 4, custom_id: 'text', label: 'T', style: 1, min_length: 2 }] }],
};

/** A resolver that knows no user, role or channel (every lookup answers "unknown"). */
const resolved = {
  user: async () => false,
  role: () => false,
  channel: () => false,
  message: () => undefined,
  toJSON: () => undefined,
} as never;

async function bounded(input: unknown, run: () => unknown): Promise<void> {
  const started = performance.now();
  try {
    await run();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const size = JSON.stringify(error).length;
    expect(size).toBeLessThanOrEqual(fixedBytes + bytesPerInputByte * JSON.stringify(input ?? null).length);
  }
  expect(performance.now() - started).toBeLessThan(timeBudgetMs);
}

async function collected(input: unknown, run: (errors: FormErrors) => unknown): Promise<void> {
  const errors = new FormErrors();
  await bounded(input, () => run(errors));
  expect(JSON.stringify(errors.toJSON()).length).toBeLessThanOrEqual(
    fixedBytes + bytesPerInputByte * JSON.stringify(input ?? null).length,
  );
}

describe('interaction decoders under arbitrary input', () => {
  it('readInvocation', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(json, invocation), (body) => bounded(body, () => readInvocation(body))),
      parameters,
    );
  });

  it('readCallback, for each kind of interaction', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(json, callback), fc.constantFrom(2, 3, 4, 5), fc.boolean(), (body, type, hasMessage) =>
        bounded(body, () => readCallback(body, type, { hasMessage, attachments: [], autocompleteType: 3 })),
      ),
      parameters,
    );
  });

  it('checkCommandInvocation (and autocomplete)', async () => {
    await fc.assert(
      fc.asyncProperty(invocation, fc.boolean(), (body, autocomplete) => {
        const data = (body as { data?: unknown }).data;
        const source = typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {};
        return collected(body, (errors) =>
          checkCommandInvocation(command, source as Record<string, unknown>, resolved, errors, autocomplete),
        );
      }),
      parameters,
    );
  });

  it('checkComponentInteraction and checkModalSubmit', async () => {
    await fc.assert(
      fc.asyncProperty(invocation, (body) => {
        const data = (body as { data?: unknown }).data;
        const source = (typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {}) as Record<
          string,
          unknown
        >;
        return collected(body, async (errors) => {
          await checkComponentInteraction(components, source, resolved, errors);
          checkModalSubmit(modal, source, errors);
        });
      }),
      parameters,
    );
  });

  it('accepts what Discord’s client sends', async () => {
    const errors = new FormErrors();
    const checked = await checkCommandInvocation(
      command,
      {
        options: [
          { type: 3, name: 'text', value: 'hi' },
          { type: 4, name: 'count', value: 2 },
        ],
      },
      resolved,
      errors,
      false,
    );
    expect(errors.isEmpty).toBe(true);
    expect(checked.options).toHaveLength(2);
    const picked = await checkComponentInteraction(
      components,
      { custom_id: 'pick', component_type: 3, values: ['blue'] },
      resolved,
      errors,
    );
    expect(picked).toEqual({ custom_id: 'pick', component_type: 3, values: ['blue'] });
    const answered = checkModalSubmit(
      modal,
      { custom_id: 'modal', components: [{ type: 1, components: [{ type: 4, custom_id: 'text', value: 'hello' }] }] },
      errors,
    );
    expect(answered?.components).toEqual([{ type: 1, components: [{ type: 4, custom_id: 'text', value: 'hello' }] }]);
    const labelled = checkModalSubmit(
      {
        custom_id: 'm',
        components: [
          { type: 18, id: 1, label: 'Text', component: { type: 4, id: 2, custom_id: 't', style: 1 } },
          {
            type: 18,
            id: 3,
            label: 'Pick',
            component: { type: 3, id: 4, custom_id: 'p', options: [{ label: 'A', value: 'a' }] },
          },
        ],
      },
      {
        custom_id: 'm',
        components: [
          { type: 18, component: { type: 4, custom_id: 't', value: 'hi' } },
          { type: 18, component: { type: 3, custom_id: 'p', values: ['a'] } },
        ],
      },
      errors,
    );
    expect(labelled?.components).toEqual([
      { type: 18, id: 1, component: { type: 4, id: 2, custom_id: 't', value: 'hi' } },
      { type: 18, id: 3, component: { type: 3, id: 4, custom_id: 'p', values: ['a'] } },
    ]);
    expect(errors.isEmpty).toBe(true);
  });
});
