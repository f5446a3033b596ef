/**
 * RubyGems versions, exactly as `Gem::Version#<=>` orders them: the version
 * is split into numeric and alphabetic segments (a `-` reads as `.pre.`),
 * trailing zeros are dropped from the release part and from the
 * pre-release part, and segments compare pairwise with a missing one as 0;
 * a string segment (a pre-release) is older than any number, strings compare
 * by bytes, numbers without bound. `1.0.a` == `1.0a` < `1.0` == `1`.
 *
 * Strings `Gem::Version.new` rejects ("Malformed version number string")
 * are invalid and sort before every valid version; blank is `0`, as in Ruby.
 */
import type { VersionComparer } from '../types.js';
import { compareBytes, compareDigits, orderParsed } from '../util.js';

/** Gem::Version::ANCHORED_VERSION_PATTERN; Ruby's `\s` is ASCII white space. */
const ANCHORED =
  /^[ \t\n\v\f\r]*([0-9]+(?:\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?[ \t\n\v\f\r]*$/;

type Segment = { readonly num: string } | { readonly str: string };

/** The canonical segments of a version, or undefined if Ruby rejects it. */
export function parseGem(text: string): Segment[] | undefined {
  if (text.length > 4096 || !ANCHORED.test(text)) return undefined;
  const version = text.trim() === '' ? '0' : text.replace(/^[ \t\n\v\f\r\0]+|[ \t\n\v\f\r\0]+$/g, '');
  const segments: Segment[] = (version.replace(/-/g, '.pre.').match(/[0-9]+|[a-z]+/gi) ?? []).map((s) =>
    /^[0-9]/.test(s) ? { num: s.replace(/^0+(?=.)/, '') } : { str: s },
  );
  const firstString = segments.findIndex((s) => 'str' in s);
  const split = firstString === -1 ? segments.length : firstString;
  const dropZeros = (part: Segment[]) => {
    while (part.length > 0) {
      const last = part[part.length - 1]!;
      if (!('num' in last) || last.num !== '0') break;
      part.pop();
    }
    return part;
  };
  return [...dropZeros(segments.slice(0, split)), ...dropZeros(segments.slice(split))];
}

const ZERO: Segment = { num: '0' };

export function compareGemSegments(a: readonly Segment[], b: readonly Segment[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? ZERO;
    const y = b[i] ?? ZERO;
    if ('num' in x && 'num' in y) {
      const c = compareDigits(x.num, y.num);
      if (c !== 0) return c;
    } else if ('str' in x && 'str' in y) {
      const c = compareBytes(x.str, y.str);
      if (c !== 0) return c;
    } else return 'str' in x ? -1 : 1;
  }
  return 0;
}

export const gem: VersionComparer = {
  name: 'gem',
  compare: orderParsed(parseGem, compareGemSegments),
  isValid: (v) => parseGem(v) !== undefined,
};
