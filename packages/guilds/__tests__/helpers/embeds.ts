import fc from 'fast-check';

/**
 * Discord's limits written out here rather than imported from the package (docs/protocol.md, "Form validation"), so
 * a wrong constant in the package fails the properties instead of moving with them.
 */
export const limits = {
  content: 2000,
  nonce: 25,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  embedFieldName: 256,
  embedFieldValue: 1024,
  embedFooterText: 2048,
  embedAuthorName: 256,
  embedsTotal: 6000,
  embedColor: 0xffffff,
  allowedMentionIds: 100,
} as const;

/** Texts in code points (unit 'binary': any code point), so `maxLength` is the limit as Discord counts it. */
const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength });
/** A required text: something left once trimmed. */
const requiredText = (maxLength: number) =>
  fc.string({ unit: 'binary', minLength: 1, maxLength }).filter((s) => s.trim() !== '');

const webUrl = fc.webUrl({ validSchemes: ['http', 'https'] });
const attachmentUrl = fc.stringMatching(/^attachment:\/\/[a-z0-9_.-]{1,20}$/);
const mediaUrl = fc.oneof(webUrl, attachmentUrl);
const timestamp = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
  .map((date) => date.toISOString());

export interface GeneratedEmbed {
  title?: string;
  description?: string;
  url?: string;
  timestamp?: string;
  color?: number;
  footer?: { text: string; icon_url?: string };
  image?: { url: string };
  thumbnail?: { url: string };
  author?: { name: string; url?: string; icon_url?: string };
  fields?: { name: string; value: string; inline?: boolean }[];
}

/** One embed within every limit of its own (the 6000 total is the caller's concern: see `validEmbedsArb`). */
export const validEmbedArb: fc.Arbitrary<GeneratedEmbed> = fc.record(
  {
    title: text(limits.embedTitle),
    description: text(limits.embedDescription),
    url: webUrl,
    timestamp,
    color: fc.integer({ min: 0, max: limits.embedColor }),
    footer: fc.record({ text: requiredText(limits.embedFooterText), icon_url: mediaUrl }, { requiredKeys: ['text'] }),
    image: fc.record({ url: mediaUrl }),
    thumbnail: fc.record({ url: mediaUrl }),
    author: fc.record(
      { name: requiredText(limits.embedAuthorName), url: webUrl, icon_url: mediaUrl },
      { requiredKeys: ['name'] },
    ),
    fields: fc.array(
      fc.record(
        {
          name: requiredText(limits.embedFieldName),
          value: requiredText(limits.embedFieldValue),
          inline: fc.boolean(),
        },
        { requiredKeys: ['name', 'value'] },
      ),
      { maxLength: limits.embedFields },
    ),
  },
  { requiredKeys: [] },
);

const codePoints = (s: string | undefined) => (s === undefined ? 0 : [...s.trim()].length);

/** The texts Discord sums across a message's embeds. */
export function embedsSize(embeds: readonly GeneratedEmbed[]): number {
  let total = 0;
  for (const embed of embeds) {
    total += codePoints(embed.title) + codePoints(embed.description);
    total += codePoints(embed.footer?.text) + codePoints(embed.author?.name);
    for (const field of embed.fields ?? []) total += codePoints(field.name) + codePoints(field.value);
  }
  return total;
}

/** 1 to 10 embeds whose texts sum to at most 6000: a message Discord accepts. */
export const validEmbedsArb = fc
  .array(validEmbedArb, { minLength: 1, maxLength: limits.embeds })
  .filter((embeds) => embedsSize(embeds) <= limits.embedsTotal);
