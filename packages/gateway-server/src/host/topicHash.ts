/**
 * A 30-bit FNV-1a hash of a topic: what a process keeps of each topic its peers listen to. A small integer stays
 * unboxed in a Map (≈ 20 bytes an entry instead of ≈ 150 for the string and its Set), which matters when every
 * session brings a `session:` and a `user:` topic; a collision only sends a peer a message it then finds no listener
 * for (never a lost one: subscriptions are counted per hash).
 */
export function topicHash(topic: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < topic.length; i++) {
    hash ^= topic.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash & 0x3fffffff;
}
