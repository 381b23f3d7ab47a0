/**
 * A small JSON Schema checker for the subset Discord's OpenAPI description uses (type, properties, required,
 * additionalProperties, items, enum, const, oneOf, allOf, $ref, format, pattern, minimum, maximum, maxLength) plus
 * what the contract needs beyond JSON: no `undefined` anywhere, timestamps in Discord's form.
 *
 * Deliberate leniencies, each because the spec's unions overlap or grow: `oneOf` is checked as "any of" (a text
 * channel also matches the thread schema in places); enums of integers built from `oneOf` consts are checked, but
 * string enums (guild features) are not, since Discord adds values freely. Only the first `MAX_ITEMS` items of
 * an array are checked, which keeps a 10,000-member GUILD_CREATE cheap and loses nothing: every item comes out of the
 * same serializer.
 */
export type Schema = { [key: string]: unknown };

export interface SchemaViolation {
  /** JSON path of the offending value (`$.members[0].flags`). */
  path: string;
  message: string;
}

const MAX_ITEMS = 20;
/** Deeper than any Discord object; also what stops the walk on a cyclic payload (which no encoder can send anyway). */
const MAX_DEPTH = 32;
const MAX_VIOLATIONS = 20;
/** Discord's timestamp form: `2026-12-04T03:44:57.310000+00:00` (the fraction may be absent, as in some of its own). */
const DISCORD_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00$/;
const SNOWFLAKE = /^(0|[1-9][0-9]{0,19})$/;

export class SchemaChecker {
  readonly #schemas: Record<string, Schema>;
  readonly #patterns = new Map<string, RegExp>();

  constructor(schemas: Record<string, Schema>) {
    this.#schemas = schemas;
  }

  /** Violations of `value` against `schema` (empty when it conforms). */
  check(value: unknown, schema: Schema): SchemaViolation[] {
    const out: SchemaViolation[] = [];
    this.#check(value, schema, '$', out);
    return out;
  }

  #against(value: unknown, schema: Schema, depth: number): SchemaViolation[] {
    const out: SchemaViolation[] = [];
    this.#check(value, schema, '$', out, depth + 1);
    return out;
  }

  #resolve(schema: Schema): Schema {
    let s = schema;
    while (typeof s.$ref === 'string') {
      const name = s.$ref.slice(s.$ref.lastIndexOf('/') + 1);
      const target = this.#schemas[name];
      if (!target) throw new Error(`Unknown schema ${s.$ref}`);
      // Siblings of $ref (OpenAPI 3.1 allows them) apply too.
      const { $ref: _ref, ...rest } = s;
      s = Object.keys(rest).length === 0 ? target : { ...target, ...rest };
    }
    return s;
  }

  #check(value: unknown, raw: Schema, path: string, out: SchemaViolation[], depth = 0): void {
    if (out.length >= MAX_VIOLATIONS || depth > MAX_DEPTH) return;
    const schema = this.#resolve(raw);
    if (value === undefined) {
      out.push({ path, message: 'is undefined' });
      return;
    }
    if (schema.allOf) for (const part of schema.allOf as Schema[]) this.#check(value, part, path, out, depth);
    if (schema.oneOf) {
      const options = schema.oneOf as Schema[];
      // Integer enums spelled as `oneOf: [{const}]`: checked as an enum.
      const consts = options.every((o) => 'const' in o) ? options.map((o) => o.const) : undefined;
      if (consts) {
        if (typeof consts[0] === 'number' && !consts.includes(value)) {
          out.push({ path, message: `is ${JSON.stringify(value)}, not one of ${consts.join(', ')}` });
        }
      } else if (!options.some((o) => this.#against(value, o, depth).length === 0)) {
        const best = options
          .map((o) => this.#against(value, o, depth))
          .sort((a, b) => a.length - b.length)[0]!
          .map((v) => ({ path: path + v.path.slice(1), message: v.message }));
        out.push(...best);
        return;
      }
    }
    if ('const' in schema && value !== schema.const) {
      out.push({ path, message: `is ${JSON.stringify(value)}, not ${JSON.stringify(schema.const)}` });
    }
    if (Array.isArray(schema.enum) && typeof schema.enum[0] === 'number' && !schema.enum.includes(value)) {
      out.push({ path, message: `is ${JSON.stringify(value)}, not one of ${schema.enum.join(', ')}` });
    }
    if (schema.type !== undefined && !typeMatches(value, schema.type as string | string[])) {
      out.push({ path, message: `is ${describe(value)}, not ${String(schema.type)}` });
      return;
    }
    if (typeof value === 'string') this.#string(value, schema, path, out);
    else if (typeof value === 'number') {
      if (typeof schema.minimum === 'number' && value < schema.minimum)
        out.push({ path, message: `< ${schema.minimum}` });
      if (typeof schema.maximum === 'number' && value > schema.maximum)
        out.push({ path, message: `> ${schema.maximum}` });
    } else if (Array.isArray(value)) {
      const items = schema.items as Schema | undefined;
      const n = Math.min(value.length, MAX_ITEMS);
      for (let i = 0; i < n; i++) {
        if (items) this.#check(value[i], items, `${path}[${i}]`, out, depth + 1);
        else if (value[i] === undefined) out.push({ path: `${path}[${i}]`, message: 'is undefined' });
      }
    } else if (typeof value === 'object' && value !== null) {
      this.#object(value as Record<string, unknown>, schema, path, out, depth);
    }
  }

  #string(value: string, schema: Schema, path: string, out: SchemaViolation[]): void {
    if (schema.format === 'date-time' && !DISCORD_TIMESTAMP.test(value)) {
      out.push({ path, message: `is ${JSON.stringify(value)}, not a timestamp in Discord's form` });
    }
    if (schema.format === 'snowflake' && !SNOWFLAKE.test(value)) {
      out.push({ path, message: `is ${JSON.stringify(value.slice(0, 40))}, not a snowflake` });
    }
    if (typeof schema.pattern === 'string' && schema.format !== 'snowflake') {
      let re = this.#patterns.get(schema.pattern);
      if (!re) {
        re = new RegExp(schema.pattern, 'u');
        this.#patterns.set(schema.pattern, re);
      }
      if (!re.test(value)) out.push({ path, message: `does not match ${schema.pattern}` });
    }
    if (typeof schema.maxLength === 'number' && [...value].length > schema.maxLength) {
      out.push({ path, message: `is longer than ${schema.maxLength}` });
    }
  }

  #object(value: Record<string, unknown>, schema: Schema, path: string, out: SchemaViolation[], depth: number): void {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) {
      if (!(key in value)) out.push({ path: `${path}.${key}`, message: 'is missing' });
    }
    const additional = schema.additionalProperties;
    for (const key in value) {
      const child = value[key];
      const sub = properties[key] ?? (typeof additional === 'object' ? (additional as Schema) : undefined);
      if (sub) this.#check(child, sub, `${path}.${key}`, out, depth + 1);
      else if (additional === false) out.push({ path: `${path}.${key}`, message: 'is not allowed' });
      else if (child === undefined) out.push({ path: `${path}.${key}`, message: 'is undefined' });
      else if (typeof child === 'object' && child !== null) this.#check(child, {}, `${path}.${key}`, out, depth + 1);
    }
  }
}

function typeMatches(value: unknown, type: string | string[]): boolean {
  if (Array.isArray(type)) return type.some((t) => typeMatches(value, t));
  switch (type) {
    case 'null':
      return value === null;
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return true;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string'
    ? `the string ${JSON.stringify(value.slice(0, 40))}`
    : `${typeof value} ${String(value).slice(0, 40)}`;
}
