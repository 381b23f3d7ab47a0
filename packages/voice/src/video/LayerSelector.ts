import type { VideoLayer } from './VideoLayer.js';

/** Going up a layer needs this much headroom in the budget, so that a receiver does not flap between two layers. */
export const UPGRADE_HEADROOM = 1.15;

/**
 * The layer a receiver should get of one sender: the best live layer whose quality is within what the receiver wants
 * (op 15) and whose bitrate fits its budget (REMB estimate less audio, shared among the senders it watches). When none
 * fits, the lowest live layer (a small picture beats a frozen one). -1: nothing (wanted quality 0, or no live layer).
 * `current` is the layer it gets now: a higher one must fit with UPGRADE_HEADROOM to spare.
 */
export function selectLayer(
  layers: readonly VideoLayer[],
  budget: number,
  wanted: number,
  now: number,
  current: number,
): number {
  if (wanted <= 0) return -1;
  let best = -1;
  let bestQuality = -1;
  let lowest = -1;
  let lowestQuality = Number.POSITIVE_INFINITY;
  let capped = -1;
  let cappedQuality = Number.POSITIVE_INFINITY;
  const currentQuality = current >= 0 ? (layers[current]?.quality ?? -1) : -1;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    if (!layer.alive(now)) continue;
    if (layer.quality < lowestQuality) {
      lowest = i;
      lowestQuality = layer.quality;
    }
    if (layer.quality > wanted) continue;
    if (layer.quality < cappedQuality) {
      capped = i;
      cappedQuality = layer.quality;
    }
    const need = layer.quality > currentQuality ? layer.cost() * UPGRADE_HEADROOM : layer.cost();
    if (need <= budget && layer.quality > bestQuality) {
      best = i;
      bestQuality = layer.quality;
    }
  }
  if (best >= 0) return best;
  return capped >= 0 ? capped : lowest;
}
