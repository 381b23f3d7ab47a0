import { describe, expect, it } from 'vitest';
import {
  EmptyMessageError,
  FormErrors,
  formErrorMessages,
  InvalidFormBodyError,
  ValidationError,
} from '../src/index.js';

describe('FormErrors', () => {
  it("nests paths by field name and index, as Discord's 50035 body does", () => {
    const errors = new FormErrors();
    expect(errors.isEmpty).toBe(true);
    errors.add(['embeds', 0, 'fields', 2, 'name'], 'BASE_TYPE_REQUIRED', 'This field is required');
    errors.add(['embeds', 0, 'fields', 2, 'name'], 'OTHER', 'second error on the same field');
    errors.add(['embeds', 1, 'title'], 'BASE_TYPE_MAX_LENGTH', 'Must be 256 or fewer in length.');
    errors.add(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
    expect(errors.isEmpty).toBe(false);
    expect(errors.count).toBe(4);
    expect(errors.toJSON()).toEqual({
      code: 50035,
      message: 'Invalid Form Body',
      errors: {
        embeds: {
          _errors: [{ code: 'MAX_EMBED_SIZE_EXCEEDED', message: 'Embed size exceeds maximum size of 6000' }],
          '0': {
            fields: {
              '2': {
                name: {
                  _errors: [
                    { code: 'BASE_TYPE_REQUIRED', message: 'This field is required' },
                    { code: 'OTHER', message: 'second error on the same field' },
                  ],
                },
              },
            },
          },
          '1': { title: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 256 or fewer in length.' }] } },
        },
      },
    });
  });

  it('puts errors of the body itself at errors._errors (the empty path)', () => {
    const errors = new FormErrors();
    errors.add([], 'MODEL_TYPE_CONVERT', 'Expected an object/dictionary.');
    expect(errors.toJSON().errors).toEqual({
      _errors: [{ code: 'MODEL_TYPE_CONVERT', message: 'Expected an object/dictionary.' }],
    });
  });

  it('keeps at most maxErrors in the body but counts them all', () => {
    const errors = new FormErrors({ maxErrors: 3 });
    for (let i = 0; i < 10; i++) errors.add(['users', i], 'X', 'x');
    expect(errors.count).toBe(10);
    expect(errors.truncated).toBe(true);
    expect(Object.keys(errors.toJSON().errors.users as object)).toEqual(['0', '1', '2']);
    expect(new FormErrors().maxErrors).toBe(100);
  });

  it('keeps a __proto__ segment an ordinary key', () => {
    const errors = new FormErrors();
    errors.add(['__proto__', 'x'], 'X', 'x');
    const tree = errors.toJSON().errors;
    expect(Object.getOwnPropertyDescriptor(tree, '__proto__')?.value).toEqual({
      x: { _errors: [{ code: 'X', message: 'x' }] },
    });
    expect(Object.getPrototypeOf(tree)).toBe(Object.prototype);
    expect(JSON.stringify(tree)).toBe('{"__proto__":{"x":{"_errors":[{"code":"X","message":"x"}]}}}');
  });

  it("words Discord's messages", () => {
    expect(formErrorMessages.badLength(1, 100)).toEqual({
      code: 'BASE_TYPE_BAD_LENGTH',
      message: 'Must be between 1 and 100 in length.',
    });
    expect(formErrorMessages.choices(['desktop', 'android', 'ios']).message).toBe(
      "Value must be one of ('desktop', 'android', 'ios').",
    );
    expect(formErrorMessages.choices([0, 1, 2]).message).toBe('Value must be one of (0, 1, 2).');
    expect(formErrorMessages.notSnowflake('x'.repeat(100)).message).toBe(
      `Value "${'x'.repeat(64)}…" is not snowflake.`,
    );
  });
});

describe('validation errors', () => {
  it("carry Discord's codes, bodies, names and causes", () => {
    const errors = new FormErrors();
    errors.add(['content'], 'BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.');
    const cause = new Error('parse');
    const invalid = new InvalidFormBodyError(errors.toJSON(), { cause });
    expect(invalid).toBeInstanceOf(ValidationError);
    expect(invalid).toBeInstanceOf(Error);
    expect([invalid.name, invalid.code, invalid.message, invalid.cause]).toEqual([
      'InvalidFormBodyError',
      50035,
      'Invalid Form Body',
      cause,
    ]);
    expect(invalid.body).toEqual(errors.toJSON());

    const empty = new EmptyMessageError();
    expect(empty).toBeInstanceOf(ValidationError);
    expect([empty.name, empty.code, empty.message]).toEqual([
      'EmptyMessageError',
      50006,
      'Cannot send an empty message',
    ]);
    expect(empty.body).toEqual({ code: 50006, message: 'Cannot send an empty message' });
  });
});
