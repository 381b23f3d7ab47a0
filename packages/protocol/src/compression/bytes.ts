const encoder = new TextEncoder();

export function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

export function concatBytes(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** true when the bytes buffered so far (spread over `chunks`) end with 00 00 FF FF. */
export function endsWithZlibSuffix(chunks: readonly Uint8Array[]): boolean {
  // The suffix may straddle frames, so read the last four bytes across chunk boundaries.
  let need = 4;
  const expected = [0xff, 0xff, 0x00, 0x00];
  for (let c = chunks.length - 1; c >= 0 && need > 0; c--) {
    const chunk = chunks[c]!;
    for (let i = chunk.byteLength - 1; i >= 0 && need > 0; i--) {
      if (chunk[i] !== expected[4 - need]) return false;
      need--;
    }
  }
  return need === 0;
}
