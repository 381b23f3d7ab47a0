/**
 * A text's length as Discord counts it for its limits: characters (Unicode code points), so an emoji outside the
 * Basic Multilingual Plane counts once, not as its two UTF-16 units (docs/protocol.md, "Form validation"). A lone
 * surrogate counts as one.
 */
export function textLength(text: string): number {
  // The string iterator steps by code point (a lone surrogate is one step).
  let length = 0;
  for (const _ of text) length++;
  return length;
}
