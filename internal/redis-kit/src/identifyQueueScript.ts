import { luaScript } from './runScript.js';

/**
 * One bucket's identify queue, run atomically in Redis. Every waiter calls it with its own member id until it is let
 * through; the reply is `{state, waitMs, now}` (state 1 = go now, 0 = not yet: call again in about `waitMs`, 2 = left).
 *
 * KEYS[1] zset of waiters scored by ticket (arrival order), KEYS[2] zset of the same waiters scored by lease expiry,
 * KEYS[3] hash { seq = last ticket, last = when the bucket last let one through }.
 * ARGV: member, intervalMs, leaseMs, 'take' | 'leave'.
 *
 * Time is Redis' own clock (TIME), so processes on machines with skewed clocks still agree. A waiter keeps its place
 * only while it keeps calling (each call renews its lease); one that stops (process killed) is dropped once its lease
 * ends, and the waiters behind it move up. Ticket order makes it first come, first served across processes.
 *
 * Used by gateway-client's fleet-wide identify queue (shards of a bot) and gateway-server's Redis identify throttle
 * (gateway nodes; it does not read `now`).
 */
export const IDENTIFY_QUEUE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local member = ARGV[1]
local interval = tonumber(ARGV[2])
local lease = tonumber(ARGV[3])
if ARGV[4] == 'leave' then
  redis.call('ZREM', KEYS[1], member)
  redis.call('ZREM', KEYS[2], member)
  return {2, 0, now}
end
local dead = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. now)
for _, m in ipairs(dead) do
  redis.call('ZREM', KEYS[1], m)
  redis.call('ZREM', KEYS[2], m)
end
if not redis.call('ZSCORE', KEYS[1], member) then
  redis.call('ZADD', KEYS[1], redis.call('HINCRBY', KEYS[3], 'seq', 1), member)
end
local rank = redis.call('ZRANK', KEYS[1], member)
local due = now
local last = redis.call('HGET', KEYS[3], 'last')
if last then due = math.max(now, tonumber(last) + interval) end
local ttl = lease * 2 + interval
if rank == 0 and due <= now then
  redis.call('ZREM', KEYS[1], member)
  redis.call('ZREM', KEYS[2], member)
  redis.call('HSET', KEYS[3], 'last', now)
  redis.call('PEXPIRE', KEYS[3], ttl)
  return {1, 0, now}
end
redis.call('ZADD', KEYS[2], now + lease, member)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('PEXPIRE', KEYS[3], ttl)
return {0, (due - now) + rank * interval, now}
`;

/** The script ready for `runScript`: KEYS are the bucket's queue, leases and state keys. */
export const IDENTIFY_QUEUE = luaScript(IDENTIFY_QUEUE_SCRIPT, 3);
