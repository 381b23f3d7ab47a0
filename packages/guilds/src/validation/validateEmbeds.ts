import type { APIEmbed, APIEmbedField } from 'discord-api-types/v10';
import { checkArray } from './checkArray.js';
import { checkBoolean } from './checkBoolean.js';
import { checkInteger } from './checkInteger.js';
import { checkObject } from './checkObject.js';
import { checkString } from './checkString.js';
import { checkTimestamp } from './checkTimestamp.js';
import { checkUrl } from './checkUrl.js';
import type { FormErrorPath, FormErrors } from './FormErrors.js';
import { formErrorMessages } from './formErrorMessages.js';
import { messageLimits as limits } from './messageLimits.js';
import { textLength } from './textLength.js';

/**
 * Checks a message's `embeds` (a value from a JSON body) against Discord's embed rules (docs/protocol.md, "Form
 * validation", "Embeds"), adding every error found to `errors` under `path`: at most 10 embeds; per embed the length
 * limits of title, description, fields, field name and value, footer text and author name, the required texts, URLs,
 * color and timestamp; then the 6000-character total across all embeds, reported at `path` itself.
 *
 * Returns the embeds rebuilt from the fields Discord keeps on a sent embed, texts trimmed as Discord trims them, when
 * this call found no error; undefined when `embeds` is absent (undefined or null) or refused. The work is one pass
 * over a bounded number of fields (10 embeds of 25 fields), so it is proportional to the input's size.
 */
export function validateEmbeds(
  embeds: unknown,
  errors: FormErrors,
  path: FormErrorPath = ['embeds'],
): APIEmbed[] | undefined {
  const before = errors.count;
  const list = checkArray(embeds, errors, path, limits.embeds);
  if (list === undefined) return undefined;
  const result: APIEmbed[] = [];
  const size = { total: 0 };
  list.forEach((value, index) => {
    const embed = validateEmbed(value, errors, [...path, index], size);
    if (embed !== undefined) result.push(embed);
  });
  if (size.total > limits.embedsTotal) {
    const error = formErrorMessages.embedSizeExceeded(limits.embedsTotal);
    errors.add(path, error.code, error.message);
  }
  return errors.count === before ? result : undefined;
}

/** Adds `text`'s length to the message's embed total: only texts that passed their own limits count. */
function counted(text: string | undefined, size: { total: number }): string | undefined {
  if (text !== undefined) size.total += textLength(text);
  return text;
}

function validateEmbed(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  size: { total: number },
): APIEmbed | undefined {
  if (value === undefined || value === null) {
    const error = formErrorMessages.required();
    errors.add(path, error.code, error.message);
    return undefined;
  }
  const source = checkObject(value, errors, path);
  if (source === undefined) return undefined;
  const at = (...segments: (string | number)[]) => [...path, ...segments];
  const embed: APIEmbed = {};

  const title = counted(checkString(source.title, errors, at('title'), { max: limits.embedTitle, trim: true }), size);
  if (title !== undefined) embed.title = title;
  const description = counted(
    checkString(source.description, errors, at('description'), { max: limits.embedDescription, trim: true }),
    size,
  );
  if (description !== undefined) embed.description = description;
  const url = checkUrl(source.url, errors, at('url'));
  if (url !== undefined) embed.url = url;
  const timestamp = checkTimestamp(source.timestamp, errors, at('timestamp'));
  if (timestamp !== undefined) embed.timestamp = timestamp;
  const color = checkInteger(source.color, errors, at('color'), 0, limits.embedColor);
  if (color !== undefined) embed.color = color;

  const footer = checkObject(source.footer, errors, at('footer'));
  if (footer !== undefined) {
    const text = counted(
      checkString(footer.text, errors, at('footer', 'text'), {
        max: limits.embedFooterText,
        required: true,
        trim: true,
      }),
      size,
    );
    const iconUrl = checkUrl(footer.icon_url, errors, at('footer', 'icon_url'), { attachments: true });
    if (text !== undefined) embed.footer = iconUrl === undefined ? { text } : { text, icon_url: iconUrl };
  }

  for (const key of ['image', 'thumbnail'] as const) {
    const media = checkObject(source[key], errors, at(key));
    if (media === undefined) continue;
    const mediaUrl = checkUrl(media.url, errors, at(key, 'url'), { attachments: true, required: true });
    if (mediaUrl !== undefined) embed[key] = { url: mediaUrl };
  }

  const author = checkObject(source.author, errors, at('author'));
  if (author !== undefined) {
    const name = counted(
      checkString(author.name, errors, at('author', 'name'), {
        max: limits.embedAuthorName,
        required: true,
        trim: true,
      }),
      size,
    );
    const authorUrl = checkUrl(author.url, errors, at('author', 'url'));
    const iconUrl = checkUrl(author.icon_url, errors, at('author', 'icon_url'), { attachments: true });
    if (name !== undefined) {
      embed.author = { name };
      if (authorUrl !== undefined) embed.author.url = authorUrl;
      if (iconUrl !== undefined) embed.author.icon_url = iconUrl;
    }
  }

  const fields = checkArray(source.fields, errors, at('fields'), limits.embedFields);
  if (fields !== undefined) {
    embed.fields = [];
    fields.forEach((field, index) => {
      const checked = validateField(field, errors, at('fields', index), size);
      if (checked !== undefined) embed.fields?.push(checked);
    });
  }
  return embed;
}

function validateField(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  size: { total: number },
): APIEmbedField | undefined {
  if (value === undefined || value === null) {
    const error = formErrorMessages.required();
    errors.add(path, error.code, error.message);
    return undefined;
  }
  const field = checkObject(value, errors, path);
  if (field === undefined) return undefined;
  const name = counted(
    checkString(field.name, errors, [...path, 'name'], { max: limits.embedFieldName, required: true, trim: true }),
    size,
  );
  const fieldValue = counted(
    checkString(field.value, errors, [...path, 'value'], { max: limits.embedFieldValue, required: true, trim: true }),
    size,
  );
  const inline = checkBoolean(field.inline, errors, [...path, 'inline']);
  if (name === undefined || fieldValue === undefined) return undefined;
  return inline === undefined ? { name, value: fieldValue } : { name, value: fieldValue, inline };
}
