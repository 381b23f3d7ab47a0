import { BlobContentTypeError } from './BlobError.js';

// type/subtype, then `; name=value` parameters (value a token or a quoted string without escapes): RFC 9110's
// media-type, so nothing that could split a header line (CR, LF) or smuggle a second field is stored and served.
const MEDIA_TYPE =
  /^[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+(?:[ \t]*;[ \t]*[\w!#$%&'*+.^`|~-]+=(?:[\w!#$%&'*+.^`|~-]+|"[\t !#-[\]-~]*"))*$/;
const MAX_CONTENT_TYPE_LENGTH = 255;

/** Other names browsers and clients send for the image types the sniffer knows. */
const IMAGE_ALIASES: Readonly<Record<string, string>> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-png': 'image/png',
  'image/x-ms-bmp': 'image/bmp',
};
/** Image types sniffContentType recognises: a declaration of one of these must be confirmed by the bytes. */
const SNIFFABLE_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'image/avif']);

/** The lower-case `type/subtype` of a media type, parameters dropped. */
export function contentTypeEssence(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/** Validates a declared media type and lower-cases its essence; throws BlobContentTypeError when malformed. */
export function normalizeContentType(contentType: string): string {
  const trimmed = contentType.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_CONTENT_TYPE_LENGTH || !MEDIA_TYPE.test(trimmed)) {
    throw new BlobContentTypeError('content type is not a valid media type', { declared: contentType.slice(0, 64) });
  }
  const semicolon = trimmed.indexOf(';');
  return semicolon === -1 ? trimmed.toLowerCase() : `${contentTypeEssence(trimmed)}${trimmed.slice(semicolon)}`;
}

/** Whether `essence` matches one of `allowed` (`type/subtype` exactly, or `type/*`). */
export function isContentTypeAllowed(essence: string, allowed: readonly string[]): boolean {
  return allowed.some((pattern) => {
    const wanted = pattern.trim().toLowerCase();
    return wanted.endsWith('/*') ? essence.startsWith(wanted.slice(0, -1)) : essence === wanted;
  });
}

export interface ContentTypeInput {
  declared: string | undefined;
  sniffed: string | undefined;
  allowed?: readonly string[] | undefined;
}

/**
 * The type a blob is stored and served with. A declared `image/*` the bytes contradict is refused (served inline, a
 * mislabelled upload is how an HTML or SVG payload would pass for a picture); other declared types are kept as
 * declared; with none, the sniffed type or application/octet-stream. Throws BlobContentTypeError, also when the
 * result is not in `allowed`.
 */
export function resolveContentType({ declared, sniffed, allowed }: ContentTypeInput): string {
  let result: string;
  if (declared === undefined) {
    result = sniffed ?? 'application/octet-stream';
  } else {
    const normalized = normalizeContentType(declared);
    const essence = contentTypeEssence(normalized);
    const sniffedEssence = sniffed === undefined ? undefined : contentTypeEssence(sniffed);
    if (essence.startsWith('image/')) {
      const canonical = IMAGE_ALIASES[essence] ?? essence;
      // A type the sniffer knows must be seen; any other image type (SVG, TIFF, ICO…) must at least not be shown by
      // the bytes to be something else (text passes, SVG being text).
      const contradicted = SNIFFABLE_IMAGES.has(canonical)
        ? sniffedEssence !== canonical
        : sniffedEssence !== undefined && sniffedEssence !== canonical && sniffedEssence !== 'text/plain';
      if (contradicted) {
        throw new BlobContentTypeError(`declared ${canonical} but the bytes are ${sniffedEssence ?? 'not that'}`, {
          declared: normalized,
          sniffed,
        });
      }
      result = canonical === essence ? normalized : canonical;
    } else {
      result = normalized;
    }
  }
  if (allowed !== undefined && !isContentTypeAllowed(contentTypeEssence(result), allowed)) {
    throw new BlobContentTypeError(`content type ${contentTypeEssence(result)} is not allowed`, {
      declared,
      sniffed,
    });
  }
  return result;
}
