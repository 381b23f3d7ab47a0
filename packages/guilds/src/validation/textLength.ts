/**
 * A text's length as Discord counts it for its limits: characters (Unicode code points), so an emoji outside the
 * Basic Multilingual Plane counts once, not as its two UTF-16 units (docs/protocol.md, "Form validation"). A lone
 * surrogate counts as one.
 */
export function textLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length--;
        i++;
      }
    }
  }
  return length;
}
