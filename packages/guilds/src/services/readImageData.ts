import { createHash } from 'node:crypto';
import type { FormErrorPath, FormErrors } from '../validation/FormErrors.js';

/** An image from a data URI (Discord's "image data": `data:image/png;base64,…`), decoded and hashed. */
export interface ImageData {
  bytes: Uint8Array;
  contentType: 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';
  extension: 'png' | 'jpg' | 'gif' | 'webp';
  /** Discord's image hash: hex MD5 of the bytes, `a_`-prefixed for an animated GIF. */
  hash: string;
  animated: boolean;
}

const TYPES = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' } as const;

/**
 * Reads Discord's image data field (avatars, guild icons, emoji): a base64 data URI of a PNG, JPEG, GIF or WebP no larger
 * than `maxBytes` once decoded. The encoded length is checked before decoding, so a hostile body costs at most its own
 * size; an unsupported type, bad base64 or too large adds one error at `path` and answers undefined.
 */
export function readImageData(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  maxBytes: number,
): ImageData | undefined {
  const fail = (code: string, message: string) => {
    errors.add(path, code, message);
    return undefined;
  };
  if (typeof value !== 'string') return fail('BASE_TYPE_BAD_TYPE', 'Must be a data URI.');
  const match = /^data:(image\/(?:png|jpeg|jpg|gif|webp));base64,/.exec(value.slice(0, 40));
  if (!match) return fail('IMAGE_INVALID', 'Invalid image data');
  const payload = value.slice(match[0].length);
  if (Math.floor((payload.length * 3) / 4) > maxBytes + 2)
    return fail('BINARY_TYPE_MAX_SIZE', `File cannot be larger than ${maxBytes / 1024} kb.`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(payload)) return fail('IMAGE_INVALID', 'Invalid image data');
  const bytes = Buffer.from(payload, 'base64');
  if (bytes.length === 0 || bytes.length > maxBytes)
    return fail('BINARY_TYPE_MAX_SIZE', `File cannot be larger than ${maxBytes / 1024} kb.`);
  const declared = match[1] === 'image/jpg' ? 'image/jpeg' : (match[1] as keyof typeof TYPES);
  const sniffed = sniff(bytes);
  if (sniffed !== declared) return fail('IMAGE_INVALID', 'Invalid image data');
  const animated = declared === 'image/gif';
  const md5 = createHash('md5').update(bytes).digest('hex');
  return { bytes, contentType: declared, extension: TYPES[declared], hash: animated ? `a_${md5}` : md5, animated };
}

/** The image type the first bytes announce (magic numbers), or null. */
function sniff(b: Uint8Array): keyof typeof TYPES | null {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return 'image/gif';
  if (
    b.length >= 12 &&
    b[0] === 0x52 &&
    b[1] === 0x49 &&
    b[2] === 0x46 &&
    b[3] === 0x46 &&
    b[8] === 0x57 &&
    b[9] === 0x45 &&
    b[10] === 0x42 &&
    b[11] === 0x50
  )
    return 'image/webp';
  return null;
}
