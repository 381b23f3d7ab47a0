const DIGIT_0 = 48;
const DIGIT_9 = 57;
const QUOTE = 34;
const BACKSLASH = 92;
const MINUS = 45;
/** Digits of Number.MAX_SAFE_INTEGER: integer literals with more digits, or as many and larger, lose precision. */
const MAX_SAFE = String(Number.MAX_SAFE_INTEGER);
/** Any run this long may be an unsafe integer; without one the text is returned as is, after one regex test. */
const MAY_BE_UNSAFE = new RegExp(`\\d{${MAX_SAFE.length}}`);

function isNumberChar(c: number): boolean {
  // Everything a JSON number token is made of: digits, '-', '+', '.', 'e', 'E'.
  return (c >= DIGIT_0 && c <= DIGIT_9) || c === MINUS || c === 43 || c === 46 || c === 101 || c === 69;
}

function isUnsafeIntegerLiteral(text: string, start: number, end: number): boolean {
  let at = start;
  if (text.charCodeAt(at) === MINUS) at++;
  const digits = end - at;
  // JSON integers: no leading zero, digits only (a fraction or exponent makes it a float, which stays a number).
  if (digits < MAX_SAFE.length || text.charCodeAt(at) === DIGIT_0) return false;
  for (let i = at; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) return false;
  }
  return digits > MAX_SAFE.length || text.slice(at, end) > MAX_SAFE;
}

/**
 * Puts quotes around every integer literal of a JSON text that JSON.parse would round (beyond ±2^53 − 1), so that it
 * parses to the exact decimal string. Clients send snowflakes as JSON numbers (discord.py does in op 4 and op 8), and
 * 64-bit ids do not fit a double. (JSON.parse's reviver `context.source` would do this natively, from V8 11.4; Node 20
 * has 11.3.) Only literals in value positions are quoted (after `:`, or in an array), never in key positions, so a
 * text JSON.parse refuses stays refused. One pass over the text, no recursion: the container stack is one entry per
 * open bracket.
 */
export function quoteUnsafeIntegers(text: string): string {
  if (!MAY_BE_UNSAFE.test(text)) return text;
  // true = array, false = object; the top level is a value position.
  const stack: boolean[] = [];
  let out = '';
  let copied = 0;
  let previous = 0; // last significant character outside strings (0 = none yet)
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Skip the string, escapes included; an unterminated one runs to the end (JSON.parse then refuses it).
      i++;
      while (i < n) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i += 2;
        else if (s === QUOTE) break;
        else i++;
      }
      i++;
      previous = QUOTE;
      continue;
    }
    if (c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9)) {
      const start = i;
      while (i < n && isNumberChar(text.charCodeAt(i))) i++;
      const inArray = stack.length > 0 && stack[stack.length - 1] === true;
      const valuePosition =
        previous === 58 /* : */ ||
        (stack.length === 0 && previous === 0) ||
        (inArray && (previous === 91 /* [ */ || previous === 44)); /* , */
      if (valuePosition && isUnsafeIntegerLiteral(text, start, i)) {
        out += `${text.slice(copied, start)}"${text.slice(start, i)}"`;
        copied = i;
      }
      previous = DIGIT_0;
      continue;
    }
    if (c === 123 /* { */ || c === 91 /* [ */) stack.push(c === 91);
    else if (c === 125 /* } */ || c === 93 /* ] */) stack.pop();
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) previous = c;
    i++;
  }
  return copied === 0 ? text : out + text.slice(copied);
}
