import type { FormErrorPath, FormErrors } from './FormErrors.js';
import { formErrorMessages } from './formErrorMessages.js';

/** How `checkUrl` reads a field. */
export interface CheckUrlOptions {
  /** Also accept `attachment://<filename>`, a file uploaded with the message (embed images and icons). Default: false. */
  attachments?: boolean;
  /** Absent or null is BASE_TYPE_REQUIRED. Default: false. */
  required?: boolean;
}

const attachment = /^attachment:\/\/[^/\\]+$/;
const web = /^https?:\/\//i;

/**
 * The URL at `path`, or undefined when absent or refused (one error added: not a string, missing when required, or
 * not a well-formed http(s) URL, `attachment://` too where allowed). docs/protocol.md, "Form validation", "Embeds".
 */
export function checkUrl(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  options: CheckUrlOptions = {},
): string | undefined {
  const error = urlError(value, options);
  if (error !== undefined) {
    errors.add(path, error.code, error.message);
    return undefined;
  }
  return typeof value === 'string' ? value : undefined;
}

function urlError(value: unknown, options: CheckUrlOptions) {
  if (value === undefined || value === null)
    return options.required === true ? formErrorMessages.required() : undefined;
  if (typeof value !== 'string') return formErrorMessages.notString();
  if (isWellFormed(value, options.attachments === true)) return undefined;
  return formErrorMessages.invalidUrl();
}

function isWellFormed(url: string, attachments: boolean): boolean {
  if (hasUnsafeCharacter(url)) return false;
  if (attachments && attachment.test(url)) return true;
  if (!web.test(url)) return false;
  try {
    return new URL(url).hostname !== '';
  } catch {
    return false;
  }
}

/** Whitespace or a control character (U+0000–U+0020, U+007F–U+009F): Discord refuses such a URL rather than encode it. */
function hasUnsafeCharacter(url: string): boolean {
  for (let i = 0; i < url.length; i++) {
    const unit = url.charCodeAt(i);
    if (unit <= 0x20 || (unit >= 0x7f && unit <= 0x9f)) return true;
  }
  return false;
}
