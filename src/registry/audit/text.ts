/**
 * Bounding and escaping of the strings an audit event carries. Every value
 * may come from a request (a repository name, a user name, a header), so it
 * is made safe to print on one line of a terminal, a log file or a syslog
 * stream: control characters (C0, DEL, C1), the Unicode line and paragraph
 * separators, bidirectional overrides and lone surrogates become `\xNN` or
 * `\uNNNN`, and a backslash becomes `\\`, so the escaped text is unambiguous
 * (a literal `\x00` in the input stays distinguishable from a NUL).
 *
 * A value longer than its cap is cut at a character boundary and ends with
 * `TRUNCATION_MARKER`; the result never exceeds the cap (in UTF-16 code
 * units), and the work done is proportional to the cap, not to the input.
 */

/** Appended to a value that was cut. */
export const TRUNCATION_MARKER = '…[truncated]';

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** The escaped form of one code point, or undefined when it is printed as is. */
function escapeOf(cp: number): string | undefined {
  if (cp === 0x5c) return '\\\\';
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return `\\x${hex(cp, 2)}`;
  if (
    cp === 0x2028 ||
    cp === 0x2029 ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069) ||
    (cp >= 0xd800 && cp <= 0xdfff) ||
    cp === 0xfeff
  ) {
    return `\\u${hex(cp, 4)}`;
  }
  return undefined;
}

/** Escapes `value` (see above) and caps it at `max` UTF-16 code units, marker included. */
export function boundText(value: string, max: number): string {
  const budget = Math.max(0, max - TRUNCATION_MARKER.length);
  let out = '';
  // Length of `out` at the last character boundary that leaves room for the marker.
  let fits = 0;
  for (let i = 0; i < value.length;) {
    // codePointAt pairs a valid surrogate pair; a lone surrogate comes back alone.
    const cp = value.codePointAt(i) ?? 0;
    const width = cp > 0xffff ? 2 : 1;
    const piece = escapeOf(cp) ?? value.slice(i, i + width);
    if (out.length + piece.length > max) return out.slice(0, fits) + TRUNCATION_MARKER;
    out += piece;
    if (out.length <= budget) fits = out.length;
    i += width;
  }
  return out;
}
