/** Characters text from the network may not carry to a terminal: controls, bidi, separators. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;

/**
 * Text from the network made safe to print on a terminal: no control or
 * bidi characters (an escape sequence could rewrite the screen, an override
 * reorder it), and at most `max` characters.
 */
export function printableText(text: string, max: number): string {
  return Array.from(text.replace(UNSAFE, "")).slice(0, max).join("");
}
