/**
 * Maven versions, exactly as Maven 3's `ComparableVersion` orders them
 * (maven-artifact 3.8 and 3.9 agree).
 *
 * A version is lower-cased and split into items at `.`, at `-` (which opens
 * a nested list) and at every switch between digits and letters (which
 * also opens a list, unless it follows a `.`-less qualifier start). Numbers
 * compare numerically (by width class int < long < big integer, as Maven's
 * item types do); qualifiers as `alpha` < `beta` < `milestone` < `rc` ==
 * `cr` < `snapshot` < "" == `ga` == `final` == `release` < `sp` < any other
 * qualifier (those alphabetically), with `a1`/`b1`/`m1` short for alpha,
 * beta, milestone; trailing null items (0, "", empty lists) are dropped.
 * Every string is a version; none is invalid.
 */
import type { VersionComparer } from '../types.js';
import { compareDigits, compareText } from '../util.js';

/** Maven's item kinds; the number kinds mirror IntItem, LongItem and BigIntegerItem. */
type Item =
  | { readonly kind: 'int' | 'long' | 'big'; readonly digits: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'list'; readonly items: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Readonly<Record<string, string>> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));
/** Lists nested deeper than this (one per `-`) are read flat; no real version comes close. */
const MAX_DEPTH = 1000;

function comparableQualifier(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

/** Java's Character.isDigit and Character.digit for one UTF-16 unit. */
const DIGIT = /^\p{Nd}$/u;
function digitValue(ch: string): number {
  const cp = ch.charCodeAt(0);
  let start = cp;
  while (start > 0 && cp - start < 60 && DIGIT.test(String.fromCharCode(start - 1))) start--;
  return (cp - start) % 10;
}

function stringItem(value: string, followedByDigit: boolean): Item {
  let v = value;
  if (followedByDigit && v.length === 1)
    v = v === 'a' ? 'alpha' : v === 'b' ? 'beta' : v === 'm' ? 'milestone' : v;
  return { kind: 'string', value: Object.hasOwn(ALIASES, v) ? ALIASES[v]! : v };
}

function numberItem(text: string): Item {
  // Maven strips ASCII leading zeros, except from a run of zeros only; the
  // length left picks the item type.
  const stripped = /^0+$/.test(text) ? text : text.replace(/^0+/, '');
  const kind = stripped.length <= 9 ? 'int' : stripped.length <= 18 ? 'long' : 'big';
  const ascii = [...stripped].map((c) => (c >= '0' && c <= '9' ? c : String(digitValue(c)))).join('');
  return { kind, digits: ascii };
}

function parseItem(isDigit: boolean, buf: string): Item {
  return isDigit ? numberItem(buf) : stringItem(buf, false);
}

function isNull(item: Item): boolean {
  if (item.kind === 'list') return item.items.length === 0;
  if (item.kind === 'string') return comparableQualifier(item.value) === RELEASE_INDEX;
  return /^0+$/.test(item.digits);
}

function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i]!;
    if (isNull(last)) list.splice(i, 1);
    else if (last.kind !== 'list') break;
  }
}

/** ComparableVersion#parseVersion. */
export function parseMaven(version: string): Item {
  const v = version.toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  const open = () => {
    if (stack.length >= MAX_DEPTH) return;
    const inner: Item[] = [];
    list.push({ kind: 'list', items: inner });
    list = inner;
    stack.push(inner);
  };
  let isDigit = false;
  let start = 0;
  const chars = v.split(''); // UTF-16 units, as Java's charAt walks them
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '.' || c === '-') {
      list.push(
        i === start ? { kind: 'int', digits: '0' } : parseItem(isDigit, chars.slice(start, i).join('')),
      );
      start = i + 1;
      if (c === '-') open();
    } else if (DIGIT.test(c)) {
      if (!isDigit && i > start) {
        if (list.length > 0) open();
        list.push(stringItem(chars.slice(start, i).join(''), true));
        start = i;
        open();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, chars.slice(start, i).join('')));
        start = i;
        open();
      }
      isDigit = false;
    }
  }
  if (chars.length > start) {
    if (!isDigit && list.length > 0) open();
    list.push(parseItem(isDigit, chars.slice(start).join('')));
  }
  for (let i = stack.length - 1; i >= 0; i--) normalize(stack[i]!);
  return { kind: 'list', items: root };
}

const NUMBER_RANK = { int: 0, long: 1, big: 2 } as const;

/** Item#compareTo, with `undefined` for Java's null. */
function compareItem(a: Item, b: Item | undefined): number {
  if (a.kind === 'string') {
    if (b === undefined) return Math.sign(compareText(comparableQualifier(a.value), RELEASE_INDEX));
    if (b.kind === 'string') return compareText(comparableQualifier(a.value), comparableQualifier(b.value));
    return -1;
  }
  if (a.kind === 'list') {
    if (b === undefined) {
      for (const item of a.items) {
        const r = compareItem(item, undefined);
        if (r !== 0) return r;
      }
      return 0;
    }
    if (b.kind === 'string') return 1;
    if (b.kind !== 'list') return -1;
    for (let i = 0; i < Math.max(a.items.length, b.items.length); i++) {
      const l = a.items[i];
      const r = b.items[i];
      const c = l === undefined ? (r === undefined ? 0 : -compareItem(r, l)) : compareItem(l, r);
      if (c !== 0) return c;
    }
    return 0;
  }
  if (b === undefined) return /^0+$/.test(a.digits) ? 0 : 1;
  if (b.kind === 'string' || b.kind === 'list') return 1;
  if (a.kind !== b.kind) return NUMBER_RANK[a.kind] < NUMBER_RANK[b.kind] ? -1 : 1;
  return compareDigits(a.digits, b.digits);
}

export const maven: VersionComparer = {
  name: 'maven',
  compare: (a, b) => compareItem(parseMaven(a), parseMaven(b)),
  isValid: () => true,
};
