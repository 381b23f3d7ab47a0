/**
 * A user's session starts in a fixed window. KEYS[1] the count (expires with the window). ARGV: total, windowMs,
 * 'get' | 'take'. Reply `{taken, used, pttl}` (taken 1 when 'take' succeeded).
 */
export const SESSION_START_SCRIPT = `
local total = tonumber(ARGV[1])
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if ARGV[3] == 'take' and used < total then
  used = redis.call('INCR', KEYS[1])
  if used == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2])) end
  return {1, used, redis.call('PTTL', KEYS[1])}
end
return {0, used, redis.call('PTTL', KEYS[1])}
`;
