import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FormErrors,
  messageLimits,
  ValidationError,
  validateAllowedMentions,
  validateEmbeds,
  validateMessageContent,
} from '../src/index.js';
import { type GeneratedEmbed, limits, validEmbedsArb } from './helpers/embeds.js';

/**
 * The validators against inputs nobody wrote by hand: hostile bodies of bounded size (they never throw anything but a
 * ValidationError, finish within a time budget, and answer with an error object bounded by the input's size), valid
 * embeds (no error), and valid embeds with one text pushed one past its limit (exactly that path is reported).
 */

const parameters = { numRuns: 300, interruptAfterTimeLimit: 8_000 };
/** Per call: generous for the machine's load, far beyond what a bounded input needs. */
const timeBudgetMs = 250;
/** Error bytes per input byte, plus a fixed part: what the bounded-size property allows. */
const bytesPerInputByte = 80;
const fixedBytes = 300;

const json = fc.jsonValue({ maxDepth: 3 });
const embedKeys = ['title', 'description', 'url', 'timestamp', 'color', 'footer', 'image', 'thumbnail', 'author'];
/** Objects with the keys the validators read and random values: they reach every rule, unlike uniform JSON. */
const embedish = fc.record(
  {
    ...Object.fromEntries(embedKeys.map((key) => [key, json])),
    footer: fc.oneof(json, fc.dictionary(fc.constantFrom('text', 'icon_url'), json)),
    author: fc.oneof(json, fc.dictionary(fc.constantFrom('name', 'url', 'icon_url'), json)),
    fields: fc.oneof(json, fc.array(fc.oneof(json, fc.dictionary(fc.constantFrom('name', 'value', 'inline'), json)))),
  },
  { requiredKeys: [] },
);
const mentionish = fc.oneof(
  json,
  fc.dictionary(
    fc.constantFrom('parse', 'roles', 'users', 'replied_user'),
    fc.oneof(
      json,
      fc.array(
        fc.oneof(
          fc.constantFrom('users', 'roles', 'everyone', '1234'),
          fc.string(),
          // Long values, which an error message quotes: the quote must stay short.
          fc.string({ maxLength: 200, size: 'max' }),
          fc.integer(),
        ),
      ),
    ),
  ),
);
const bodyArb = fc.oneof(
  json,
  fc.record(
    {
      content: fc.oneof(json, fc.string({ maxLength: 30 })),
      embeds: fc.oneof(json, fc.array(fc.oneof(json, embedish), { maxLength: 12 })),
      allowed_mentions: mentionish,
      nonce: json,
      tts: json,
      sticker_ids: json,
    },
    { requiredKeys: [] },
  ),
);

/** Longest message: a quoted value is cut to 64 characters, the wording around it is short. */
const maxMessageLength = 120;

function leafErrors(tree: object): { code: string; message: string }[] {
  const found: { code: string; message: string }[] = [];
  const stack: object[] = [tree];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    for (const [key, child] of Object.entries(node)) {
      if (key === '_errors') found.push(...(child as { code: string; message: string }[]));
      else stack.push(child as object);
    }
  }
  return found;
}

function timed<T>(run: () => T): T {
  const start = performance.now();
  const result = run();
  const elapsed = performance.now() - start;
  if (elapsed > timeBudgetMs) throw new Error(`took ${elapsed.toFixed(1)} ms`);
  return result;
}

describe('validators on hostile bodies (property)', () => {
  it('never throw but a ValidationError, finish in budget, and answer in size proportional to the input', () => {
    fc.assert(
      fc.property(bodyArb, (body) => {
        const inputSize = JSON.stringify(body)?.length ?? 0;
        let answer: unknown;
        try {
          timed(() => validateMessageContent(body));
          return;
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          answer = error.body;
        }
        const size = JSON.stringify(answer).length;
        expect(size).toBeLessThanOrEqual(fixedBytes + bytesPerInputByte * inputSize);
      }),
      parameters,
    );
  });

  it('validateEmbeds and validateAllowedMentions alone: same bounds, and a value only without errors', () => {
    fc.assert(
      fc.property(fc.oneof(json, fc.array(embedish, { maxLength: 12 })), mentionish, (embeds, mentions) => {
        const errors = new FormErrors();
        const checkedEmbeds = timed(() => validateEmbeds(embeds, errors));
        const afterEmbeds = errors.count;
        const checkedMentions = timed(() => validateAllowedMentions(mentions, errors));
        if (afterEmbeds > 0) expect(checkedEmbeds).toBeUndefined();
        if (errors.count > afterEmbeds) expect(checkedMentions).toBeUndefined();
        const inputSize = (JSON.stringify(embeds)?.length ?? 0) + (JSON.stringify(mentions)?.length ?? 0);
        expect(JSON.stringify(errors.toJSON()).length).toBeLessThanOrEqual(fixedBytes + bytesPerInputByte * inputSize);
        // Sharper: at most one error per input byte, each short whatever the value it quotes.
        expect(errors.count).toBeLessThanOrEqual(inputSize);
        for (const error of leafErrors(errors.toJSON().errors)) {
          expect(error.message.length).toBeLessThanOrEqual(maxMessageLength);
        }
      }),
      parameters,
    );
  });

  it('caps a huge hostile body: its answer keeps 100 errors however many it has', () => {
    const field = { name: null, value: [], inline: 'x' };
    const embed = { title: 1, footer: {}, author: {}, image: {}, fields: Array.from({ length: 25 }, () => field) };
    const body = {
      content: 5,
      embeds: Array.from({ length: 10 }, () => embed),
      allowed_mentions: { parse: Array.from({ length: 100_000 }, (_, i) => `type${i}`) },
    };
    const error = timed(() => {
      try {
        validateMessageContent(body);
      } catch (thrown) {
        return thrown as ValidationError;
      }
      throw new Error('accepted');
    });
    const text = JSON.stringify(error.body);
    expect(text.match(/"code":"/g)?.length).toBe(100);
    expect(text.length).toBeLessThan(20_000);
  });
});

describe('validateEmbeds on valid embeds (property)', () => {
  it("the package's limits are Discord's", () => {
    expect(messageLimits).toEqual(limits);
  });

  it('reports nothing for embeds within every limit', () => {
    fc.assert(
      fc.property(validEmbedsArb, (embeds) => {
        const errors = new FormErrors();
        const result = validateEmbeds(embeds, errors);
        expect(errors.toJSON().errors).toEqual({});
        expect(result).toHaveLength(embeds.length);
      }),
      parameters,
    );
  });

  type Target = 'title' | 'description' | 'footer' | 'author' | 'fieldName' | 'fieldValue' | 'fields' | 'embeds';
  const targets: Target[] = ['title', 'description', 'footer', 'author', 'fieldName', 'fieldValue', 'fields', 'embeds'];
  const over = (limit: number) => 'x'.repeat(limit + 1);

  /** Pushes one thing of `embeds` one past its limit; returns the path that must be reported and the error code. */
  function breakOne(embeds: GeneratedEmbed[], index: number, target: Target): { path: string[]; code: string } {
    const embed = embeds[index % embeds.length]!;
    const at = String(index % embeds.length);
    const field = { name: 'n', value: 'v' };
    switch (target) {
      case 'title':
        embed.title = over(limits.embedTitle);
        return { path: ['embeds', at, 'title'], code: 'BASE_TYPE_MAX_LENGTH' };
      case 'description':
        embed.description = over(limits.embedDescription);
        return { path: ['embeds', at, 'description'], code: 'BASE_TYPE_MAX_LENGTH' };
      case 'footer':
        embed.footer = { ...embed.footer, text: over(limits.embedFooterText) };
        return { path: ['embeds', at, 'footer', 'text'], code: 'BASE_TYPE_MAX_LENGTH' };
      case 'author':
        embed.author = { ...embed.author, name: over(limits.embedAuthorName) };
        return { path: ['embeds', at, 'author', 'name'], code: 'BASE_TYPE_MAX_LENGTH' };
      case 'fieldName':
      case 'fieldValue': {
        embed.fields = embed.fields?.length ? embed.fields : [field];
        const k = index % embed.fields.length;
        const key = target === 'fieldName' ? 'name' : 'value';
        embed.fields[k] = {
          ...embed.fields[k]!,
          [key]: over(key === 'name' ? limits.embedFieldName : limits.embedFieldValue),
        };
        return { path: ['embeds', at, 'fields', String(k), key], code: 'BASE_TYPE_MAX_LENGTH' };
      }
      case 'fields':
        embed.fields = Array.from({ length: limits.embedFields + 1 }, () => field);
        return { path: ['embeds', at, 'fields'], code: 'BASE_TYPE_MAX_LENGTH' };
      case 'embeds':
        while (embeds.length <= limits.embeds) embeds.push({});
        return { path: ['embeds'], code: 'BASE_TYPE_MAX_LENGTH' };
    }
  }

  it('reports exactly the one thing pushed past its limit, at its path', () => {
    fc.assert(
      fc.property(validEmbedsArb, fc.nat(), fc.constantFrom(...targets), (embeds, index, target) => {
        const copy = structuredClone(embeds);
        const { path, code } = breakOne(copy, index, target);
        const errors = new FormErrors();
        validateEmbeds(copy, errors);
        const tree = errors.toJSON().errors as Record<string, unknown>;
        const leaves: string[] = [];
        const walk = (node: Record<string, unknown>, at: string[]) => {
          for (const [key, child] of Object.entries(node)) {
            if (key === '_errors') {
              for (const error of child as { code: string }[]) leaves.push(`${at.join('.')}:${error.code}`);
            } else walk(child as Record<string, unknown>, [...at, key]);
          }
        };
        walk(tree, []);
        const expected = `${path.join('.')}:${code}`;
        // The one filler field added to an embed without fields (2 characters) may take a full message over 6000.
        const filler = target === 'fieldName' || target === 'fieldValue';
        if (filler && leaves.length === 2 && leaves.includes('embeds:MAX_EMBED_SIZE_EXCEEDED')) {
          expect(leaves).toContain(expected);
        } else {
          expect(leaves).toEqual([expected]);
        }
      }),
      parameters,
    );
  });
});
