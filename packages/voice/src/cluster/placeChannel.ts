import { createHash } from 'node:crypto';

/** A node as placement sees it. */
export interface PlacementNode {
  id: string;
  region: string | null;
  /** Busiest of its load ratios (channels, sessions, packets/s against capacity): 0 idle, 1 full. */
  load: number;
  /** Share of the keyspace relative to the others (default 1; 2 = twice as many channels when idle). */
  weight?: number;
}

export interface PlacementOptions {
  /** Preferred region: its nodes are used while one of them is under `overloadAt`. */
  region?: string | null;
  /** How many of the best-hashed nodes compete on load (default 2; 1 = plain rendezvous hashing). */
  topK?: number;
  /** Nodes at or above this load take no new channel while others are below it (default 0.85). */
  overloadAt?: number;
  /**
   * Loads closer than this to the least loaded candidate count as equal, and the hash order decides (default 0.1):
   * small load differences must not reshuffle placement between allocators or from one probe to the next.
   */
  loadTolerance?: number;
}

/** Rendezvous (highest random weight) score of `key` on `nodeId`; weighted as -w / ln(u), u uniform in (0, 1). */
export function rendezvousScore(key: string, nodeId: string, weight = 1): number {
  const digest = createHash('sha256').update(key).update('\0').update(nodeId).digest();
  // 52 random bits → u in (0, 1), never 0 or 1.
  const high = digest.readUInt32BE(0) & 0xfffff;
  const low = digest.readUInt32BE(4);
  const u = (high * 2 ** 32 + low + 0.5) / 2 ** 52;
  return -weight / Math.log(u);
}

/** The nodes in rendezvous order for `key`, best first. */
export function rankNodes<T extends PlacementNode>(key: string, nodes: readonly T[]): T[] {
  return nodes
    .map((node) => ({ node, score: rendezvousScore(key, node.id, node.weight ?? 1) }))
    .sort((a, b) => b.score - a.score || (a.node.id < b.node.id ? -1 : 1))
    .map((entry) => entry.node);
}

/**
 * Picks the node for a channel among `nodes` (the caller passes only healthy, non-draining ones), or null when there
 * is none. Rendezvous hashing keeps a key on the same node while the node set is the same, and adding or removing a
 * node moves only the keys whose best node changed (~1/N). Load and region bend it:
 *
 * 1. the pool is the region's nodes under `overloadAt`, else every node under it, else (everyone is overloaded) all;
 * 2. the `topK` best-hashed nodes of the pool compete: the first in hash order whose load is within `loadTolerance` of
 *    the least loaded one wins.
 */
export function placeChannel<T extends PlacementNode>(
  key: string,
  nodes: readonly T[],
  options: PlacementOptions = {},
): T | null {
  if (nodes.length === 0) return null;
  const overloadAt = options.overloadAt ?? 0.85;
  const topK = Math.max(1, Math.floor(options.topK ?? 2));
  const tolerance = Math.max(0, options.loadTolerance ?? 0.1);
  const fits = nodes.filter((node) => node.load < overloadAt);
  const regional = options.region ? fits.filter((node) => node.region === options.region) : [];
  const pool = regional.length > 0 ? regional : fits.length > 0 ? fits : nodes;
  const candidates = rankNodes(key, pool).slice(0, topK);
  let least = Number.POSITIVE_INFINITY;
  for (const node of candidates) least = Math.min(least, node.load);
  return candidates.find((node) => node.load <= least + tolerance) ?? null;
}
