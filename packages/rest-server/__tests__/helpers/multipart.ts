/** A multipart/form-data body (as discord.js builds it) and its content type, for app.inject. */
export async function multipart(
  parts: { name: string; value: string | Uint8Array; filename?: string; type?: string }[],
): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  for (const part of parts) {
    if (part.filename === undefined) form.append(part.name, part.value as string);
    else {
      // A copy in a plain ArrayBuffer: Blob takes no view of a possibly shared buffer.
      const bytes = typeof part.value === 'string' ? part.value : new Uint8Array(part.value).buffer;
      form.append(part.name, new Blob([bytes], { type: part.type ?? 'application/octet-stream' }), part.filename);
    }
  }
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return {
    payload: Buffer.from(await request.arrayBuffer()),
    headers: { 'content-type': request.headers.get('content-type') ?? '' },
  };
}

/** A 1×1 PNG. */
export const PNG_1x1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
