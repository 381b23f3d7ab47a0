/** Longest filename kept (the blob store's segment limit is 200; Discord keeps about as many). */
const MAX_FILENAME = 120;
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * An uploaded file's name as Discord shows it in the attachment URL: the last path segment, characters outside
 * [A-Za-z0-9._-] replaced by `_` (Discord replaces spaces likewise), so it is a valid blob key segment and needs no
 * escaping in a URL.
 */
export function sanitizeFilename(name: string | undefined): string {
  const last = (name ?? '').split(/[\\/]/).pop() ?? '';
  let safe = last.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  if (safe.length > MAX_FILENAME) {
    const dot = safe.lastIndexOf('.');
    const ext = dot > 0 && safe.length - dot <= 16 ? safe.slice(dot) : '';
    safe = safe.slice(0, MAX_FILENAME - ext.length) + ext;
  }
  if (safe === '' || /^[._-]*$/.test(safe)) return 'unknown';
  return RESERVED.test(safe) ? `_${safe}` : safe;
}
