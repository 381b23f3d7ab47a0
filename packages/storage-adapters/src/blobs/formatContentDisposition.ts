import { contentTypeEssence } from './resolveContentType.js';

/**
 * Whether browsers should show the blob rather than download it: images and video, as Discord's CDN does. SVG is the
 * exception: shown inline on the CDN's origin, its scripts would run there.
 */
export function isInlineContentType(contentType: string): boolean {
  const essence = contentTypeEssence(contentType);
  return (essence.startsWith('image/') && essence !== 'image/svg+xml') || essence.startsWith('video/');
}

// RFC 5987 attr-char: what may appear unencoded in `filename*`; everything else is percent-encoded as UTF-8 bytes.
const ATTR_CHAR = /^[A-Za-z0-9!#$&+.^_`|~-]$/;

function encodeExtValue(value: string): string {
  let out = '';
  for (const char of value) {
    if (ATTR_CHAR.test(char)) out += char;
    else
      for (const byte of new TextEncoder().encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * `inline` or `attachment`, with `filename` (printable ASCII, other characters, quotes and backslashes replaced by
 * '_') for old clients and `filename*=UTF-8''…` with the exact name (RFC 6266 / RFC 5987).
 */
export function formatContentDisposition(filename: string, contentType: string): string {
  const type = isInlineContentType(contentType) ? 'inline' : 'attachment';
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encodeExtValue(filename)}`;
}
