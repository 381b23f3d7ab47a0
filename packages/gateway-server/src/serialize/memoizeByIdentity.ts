/**
 * `fn` remembered per input object (a WeakMap, so nothing outlives its input). Serializers of objects a directory
 * keeps and hands to many sessions (members, roles, channels) are memoized this way: every session's GUILD_CREATE then
 * shares one serialized member instead of holding its own copy in its replay buffer (a 250-member guild would cost
 * ~100 KB per session). Inputs are treated as immutable: a directory changes a member by replacing its object, as
 * InMemoryDirectory (src/Directory.ts) does.
 */
export function memoizeByIdentity<I extends object, O>(fn: (input: I) => O): (input: I) => O {
  const cache = new WeakMap<I, O>();
  return (input) => {
    let out = cache.get(input);
    if (out === undefined) {
      out = fn(input);
      cache.set(input, out);
    }
    return out;
  };
}
