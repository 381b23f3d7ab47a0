/** Identify's `shard`: `[shard_id, shard_count]`, absent = `[0, 1]`; null = invalid (closed with 4010). */
export function parseShard(value: unknown): [number, number] | null {
  if (value === undefined || value === null) return [0, 1];
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [id, count] = value as unknown[];
  if (!Number.isSafeInteger(id) || !Number.isSafeInteger(count)) return null;
  const shardId = id as number;
  const shardCount = count as number;
  if (shardCount < 1 || shardId < 0 || shardId >= shardCount) return null;
  return [shardId, shardCount];
}
