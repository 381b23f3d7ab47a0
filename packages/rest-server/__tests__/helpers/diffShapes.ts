/**
 * Every difference between two plain JSON-like values, one line per differing leaf, each naming its path
 * (`channels.123.overwrites.456.allow: REST "1024" ≠ bot "0"`). Objects are compared key by key over the union of
 * their keys (a key one side lacks is reported as missing), arrays index by index. Empty when deeply equal.
 */
export function diffShapes(rest: unknown, bot: unknown, path = ''): string[] {
  if (Object.is(rest, bot)) return [];
  if (Array.isArray(rest) && Array.isArray(bot)) {
    const out: string[] = [];
    if (rest.length !== bot.length) out.push(`${path || '$'}.length: REST ${rest.length} ≠ bot ${bot.length}`);
    for (let i = 0; i < Math.min(rest.length, bot.length); i++)
      out.push(...diffShapes(rest[i], bot[i], `${path}[${i}]`));
    return out;
  }
  if (isPlainObject(rest) && isPlainObject(bot)) {
    const out: string[] = [];
    const keys = [...new Set([...Object.keys(rest), ...Object.keys(bot)])].sort();
    for (const key of keys) {
      const at = path ? `${path}.${key}` : key;
      if (!(key in bot)) out.push(`${at}: missing from the bot's cache (REST ${show(rest[key])})`);
      else if (!(key in rest)) out.push(`${at}: in the bot's cache only (bot ${show(bot[key])})`);
      else out.push(...diffShapes(rest[key], bot[key], at));
    }
    return out;
  }
  return [`${path || '$'}: REST ${show(rest)} ≠ bot ${show(bot)}`];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
