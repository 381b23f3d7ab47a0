const ATOM_TAGS = new Set([100, 115, 118, 119]);

/**
 * docs/protocol.md ("Encodings"): client ETF payloads must use binary (string) keys; atom keys are answered with 4002.
 * The codec accepts both, so the server looks at the first key of the top-level map — clients encode all keys alike,
 * and a full walk would cost a second parse of every payload.
 */
export function etfUsesAtomKeys(data: Uint8Array): boolean {
  // 131, MAP_EXT (116), arity u32, first key tag
  return data.length > 6 && data[0] === 131 && data[1] === 116 && ATOM_TAGS.has(data[6]!);
}
