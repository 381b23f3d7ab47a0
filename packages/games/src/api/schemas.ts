/** JSON schemas of the game API's bodies and params: Fastify validates them before a handler runs. */
export const snowflake = { type: 'string', pattern: '^[1-9][0-9]{0,19}$' } as const;
export const userIds = { type: 'array', items: snowflake, maxItems: 200, uniqueItems: true } as const;
export const idParams = { type: 'object', required: ['id'], properties: { id: snowflake } } as const;
export const memberParams = {
  type: 'object',
  required: ['id', 'userId'],
  properties: { id: snowflake, userId: snowflake },
} as const;
export const reason = { type: 'string', maxLength: 512 } as const;
const coordinate = { type: 'number', minimum: -1e9, maximum: 1e9 } as const;
export const position = {
  type: ['object', 'null'],
  required: ['x', 'y'],
  additionalProperties: false,
  properties: { x: coordinate, y: coordinate, z: coordinate, yaw: { type: 'number', minimum: -100, maximum: 100 } },
} as const;

/** `body` as Fastify hands it over after validation (typed by the schema's author, not inferred). */
export function bodyOf<T>(request: { body: unknown }): T {
  return (request.body ?? {}) as T;
}
