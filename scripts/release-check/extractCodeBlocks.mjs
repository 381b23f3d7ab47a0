// Fenced code blocks of a README, with the release-check marker written just before each one.
//
// Blocks labelled js / javascript / ts / typescript are examples to run; every other label (sh, sql, text, none) is
// prose and is never run. A runnable block can be preceded (blank lines allowed in between) by one HTML comment:
//   <!-- release-check: skip (why) -->                 not run: a fragment, or it needs a service (Redis, Postgres…)
//   <!-- release-check: prints "text" -->               run, and its output must contain the text
//   <!-- release-check: pair NAME server|client [prints "text"] -->
//       the blocks of pair NAME (in any README) run together: the server first, the client once the server printed
//       something; the client must exit by itself, the server is stopped after it; each side's `prints` is asserted
import { readFileSync } from 'node:fs';

export const RUNNABLE = new Map([
  ['js', 'js'],
  ['javascript', 'js'],
  ['mjs', 'js'],
  ['ts', 'ts'],
  ['typescript', 'ts'],
  ['mts', 'ts'],
]);

const MARKER = /^<!--\s*release-check:\s*(.*?)\s*-->\s*$/;

/** Parses the text of one marker; throws on anything it does not understand (a typo must not silently skip). */
export function parseMarker(text, where) {
  const skip = /^skip\s*\((.+)\)$/.exec(text);
  if (skip) return { skip: skip[1] };
  const prints = (rest) => {
    if (rest === '') return undefined;
    const match = /^prints\s+"((?:[^"\\]|\\.)*)"$/.exec(rest);
    if (!match) throw new Error(`${where}: bad release-check marker ${JSON.stringify(text)}`);
    return JSON.parse(`"${match[1]}"`);
  };
  const pair = /^pair\s+([\w-]+)\s+(server|client)\s*(.*)$/.exec(text);
  if (pair) return { pair: { name: pair[1], role: pair[2] }, prints: prints(pair[3]) };
  return { prints: prints(text) };
}

/**
 * @param {string} file a README path
 * @returns {{ file: string, line: number, lang: string, kind: 'js' | 'ts' | null, code: string, marker: object }[]}
 */
export function extractCodeBlocks(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks = [];
  let pending = null; // the last marker seen, until the next non-blank line that is not a fence
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const marker = MARKER.exec(line.trim());
    if (marker) {
      pending = { text: marker[1], line: i + 1 };
      continue;
    }
    const fence = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(line);
    if (!fence) {
      if (line.trim() !== '') {
        if (pending) throw new Error(`${file}:${pending.line}: release-check marker not followed by a code block`);
      }
      continue;
    }
    const [, indent, ticks, label] = fence;
    const start = i + 1;
    const body = [];
    for (i++; i < lines.length && !lines[i].trimStart().startsWith(ticks); i++) {
      body.push(lines[i].startsWith(indent) ? lines[i].slice(indent.length) : lines[i]);
    }
    const lang = label.toLowerCase();
    const kind = RUNNABLE.get(lang) ?? null;
    const where = `${file}:${pending?.line}`;
    if (pending && !kind) throw new Error(`${where}: release-check marker before a ${lang || 'plain'} block`);
    blocks.push({
      file,
      line: start,
      lang,
      kind,
      code: `${body.join('\n')}\n`,
      marker: pending ? parseMarker(pending.text, where) : {},
    });
    pending = null;
  }
  return blocks;
}
