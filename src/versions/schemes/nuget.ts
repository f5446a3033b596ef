/**
 * NuGet versions, as NuGet.Versioning's `NuGetVersion.TryParse` reads them
 * and `VersionComparer.Default` orders them: up to four numeric parts
 * (`1.0` == `1.0.0` == `1.0.0.0`), then SemVer 2.0 pre-release labels (a
 * release is newer than any pre-release; numeric labels, as .NET's
 * `int.TryParse` reads them, before alphanumeric ones; the rest compared
 * case-insensitively, ordinal upper case), and build metadata ignored.
 *
 * Strings NuGet rejects are invalid and sort before every valid version.
 */
import type { VersionComparer } from '../types.js';
import { compareText, orderParsed } from '../util.js';

interface NuGetVersion {
  readonly parts: readonly [number, number, number, number];
  /** Undefined for a release. */
  readonly labels: readonly string[] | undefined;
}

const INT_MAX = 2147483647;
/** .NET's char.IsWhiteSpace, which String.Trim removes. */
const NET_SPACE = '[\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const TRIM = new RegExp(`^${NET_SPACE}+|${NET_SPACE}+$`, 'g');
/** `int.TryParse(s, NumberStyles.Integer, InvariantCulture)`. */
const INTEGER = /^[\t-\r ]*([+-]?)([0-9]+)[\t-\r ]*$/;

function parseInt32(s: string): number | undefined {
  const m = INTEGER.exec(s);
  if (!m) return undefined;
  const digits = m[2]!.replace(/^0+(?=.)/, '');
  if (digits.length > 10) return undefined;
  const n = Number(digits) * (m[1] === '-' ? -1 : 1);
  return n > INT_MAX || n < -INT_MAX - 1 ? undefined : n;
}

/** NuGet's IsValidPart: [0-9A-Za-z-]+, and no leading zero on an all-digit label unless allowed. */
function validPart(s: string, allowLeadingZeros: boolean): boolean {
  if (!allowLeadingZeros && /^0[0-9]+$/.test(s)) return false;
  return /^[0-9A-Za-z-]+$/.test(s);
}

/** NuGet's ParseSections: version, `-` labels and `+` metadata. */
function sections(value: string): [string | undefined, string[] | undefined, string | undefined] {
  let version: string | undefined;
  let labels: string[] | undefined;
  let metadata: string | undefined;
  let dash = -1;
  let plus = -1;
  for (let i = 0; i < value.length; i++) {
    const end = i === value.length - 1;
    const c = value[i];
    if (dash < 0) {
      if (end || c === '-' || c === '+') {
        version = value.slice(0, i + (end ? 1 : 0));
        dash = i;
        if (c === '+') plus = i;
      }
    } else if (plus < 0) {
      if (end || c === '+') {
        labels = value.slice(dash + 1, i + (end ? 1 : 0)).split('.');
        plus = i;
      }
    } else if (end) {
      metadata = value.slice(plus + 1, i + 1);
    }
  }
  return [version, labels, metadata];
}

export function parseNuGet(text: string): NuGetVersion | undefined {
  if (text.length > 4096) return undefined;
  const [version, labels, metadata] = sections(text.replace(TRIM, ''));
  if (version === undefined || version === '') return undefined;
  // System.Version: two to four non-negative Int32 components.
  const components = (version.includes('.') ? version : `${version}.0`).split('.');
  if (components.length < 2 || components.length > 4) return undefined;
  const nums = components.map(parseInt32);
  if (nums.some((n) => n === undefined || n < 0)) return undefined;
  if (labels !== undefined && !labels.every((l) => validPart(l, false))) return undefined;
  if (metadata !== undefined && !metadata.split('.').every((p) => validPart(p, true))) return undefined;
  const [a = 0, b = 0, c = 0, d = 0] = nums as number[];
  return { parts: [a, b, c, d], labels };
}

function compareLabel(x: string, y: string): number {
  const nx = parseInt32(x);
  const ny = parseInt32(y);
  if (nx !== undefined && ny !== undefined) return Math.sign(nx - ny);
  if (nx !== undefined || ny !== undefined) return nx !== undefined ? -1 : 1;
  return compareText(x.toUpperCase(), y.toUpperCase());
}

export function compareNuGet(a: NuGetVersion, b: NuGetVersion): number {
  for (let i = 0; i < 4; i++) if (a.parts[i] !== b.parts[i]) return a.parts[i]! < b.parts[i]! ? -1 : 1;
  if (a.labels === undefined || b.labels === undefined) {
    return a.labels === undefined ? (b.labels === undefined ? 0 : 1) : -1;
  }
  for (let i = 0; i < Math.max(a.labels.length, b.labels.length); i++) {
    const x = a.labels[i];
    const y = b.labels[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    const c = compareLabel(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

export const nuget: VersionComparer = {
  name: 'nuget',
  compare: orderParsed(parseNuGet, compareNuGet),
  isValid: (v) => parseNuGet(v) !== undefined,
};
