/** The shard a guild belongs to: `(guild_id >> 22) % shard_count`; ids that are not snowflakes go to shard 0. */
export function shardOf(guildId: string, shardCount: number): number {
  if (shardCount <= 1) return 0;
  try {
    return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
  } catch {
    return 0;
  }
}
