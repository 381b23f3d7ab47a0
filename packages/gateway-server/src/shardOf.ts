import { shardOf as snowflakeShardOf } from '@concord/snowflake';

/**
 * The shard a guild belongs to: Discord's `(guild_id >> 22) % shard_count`, computed by `@concord/snowflake`. With one
 * shard, or for an id that is not a snowflake (a directory's made-up guild id), the answer is shard 0: fan-out and
 * Identify call this for every guild and must not throw.
 */
export function shardOf(guildId: string, shardCount: number): number {
  if (shardCount <= 1) return 0;
  try {
    return snowflakeShardOf(guildId, shardCount);
  } catch {
    return 0;
  }
}
