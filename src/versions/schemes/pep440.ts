/**
 * Python versions (PEP 440), exactly as `packaging.version.Version` parses
 * and orders them: `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`, with
 * packaging's normalisation (case, `v` prefix, surrounding white space,
 * `-`/`_`/`.` separators, `alpha`/`beta`/`c`/`pre`/`preview` spellings,
 * `rev`/`r` and the implicit post release `1.0-1`, missing numbers as 0),
 * trailing zeros of the release ignored, `.devN` before pre-releases of the
 * same release, and local versions after the public one, their parts
 * compared as integers (newer) or case-folded strings.
 *
 * `@renovatebot/pep440` is not exact (numbers past 2^53, local parts such
 * as `0x1` or `1e5` read as numbers), so this is written out; numbers are
 * unbounded like Python's. Strings packaging rejects are invalid and sort
 * before every valid version.
 */
import type { VersionComparer } from '../types.js';
import { compareDigits, compareText, orderParsed } from '../util.js';

/**
 * packaging's VERSION_PATTERN, anchored, with Python's `\s` for `str` and
 * the four non-ASCII letters Python's IGNORECASE lets `[a-z]`, `i`, `s` and
 * `k` match (İ ı ſ K).
 */
const PY_SPACE = '[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const I = '[i\\u0130\\u0131]';
const S = '[s\\u017f]';
const ALNUM = '[a-z0-9\\u0130\\u0131\\u017f\\u212a]';
const VERSION = new RegExp(
  `^${PY_SPACE}*v?(?:(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\\.[0-9]+)*)` +
    `(?<pre>[-_.]?(?<pre_l>a|b|c|rc|alpha|beta|pre|prev${I}ew)[-_.]?(?<pre_n>[0-9]+)?)?` +
    `(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_.]?(?<post_l>po${S}t|rev|r)[-_.]?(?<post_n2>[0-9]+)?))?` +
    `(?<dev>[-_.]?(?<dev_l>dev)[-_.]?(?<dev_n>[0-9]+)?)?)` +
    `(?:\\+(?<local>${ALNUM}+(?:[-_.]${ALNUM}+)*))?${PY_SPACE}*$`,
  'i',
);

/** A local part: an integer (digits) or a lower-cased string. */
type LocalPart = { readonly num: string } | { readonly str: string };

export interface Pep440Version {
  readonly epoch: string;
  /** Release numbers without trailing zeros. */
  readonly release: readonly string[];
  readonly pre?: { readonly letter: string; readonly num: string };
  /** The letter is `post` unless Python's case folding kept an odd spelling (`poſt`). */
  readonly post?: { readonly letter: string; readonly num: string };
  readonly dev?: string;
  readonly local?: readonly LocalPart[];
}

function letterOf(letter: string): string {
  const l = letter.toLowerCase();
  if (l === 'alpha') return 'a';
  if (l === 'beta') return 'b';
  if (l === 'c' || l === 'pre' || l === 'preview') return 'rc';
  if (l === 'rev' || l === 'r') return 'post';
  return l;
}

const strip0 = (n: string) => n.replace(/^0+(?=.)/, '');

/** packaging's `Version(text)`; undefined where it raises InvalidVersion. */
export function parsePep440(text: string): Pep440Version | undefined {
  if (text.length > 4096) return undefined;
  const g = VERSION.exec(text)?.groups;
  if (!g || g['release'] === undefined) return undefined;
  const release = g['release'].split('.').map(strip0);
  while (release.length > 0 && release[release.length - 1] === '0') release.pop();
  const v: {
    epoch: string;
    release: string[];
    pre?: { letter: string; num: string };
    post?: { letter: string; num: string };
    dev?: string;
    local?: LocalPart[];
  } = { epoch: strip0(g['epoch'] ?? '0'), release };
  if (g['pre_l'] !== undefined) v.pre = { letter: letterOf(g['pre_l']), num: strip0(g['pre_n'] ?? '0') };
  if (g['post'] !== undefined) {
    v.post = { letter: letterOf(g['post_l'] ?? 'post'), num: strip0(g['post_n1'] ?? g['post_n2'] ?? '0') };
  }
  if (g['dev'] !== undefined) v.dev = strip0(g['dev_n'] ?? '0');
  if (g['local'] !== undefined) {
    v.local = g['local']
      .split(/[-_.]/)
      .map((p) => (/^[0-9]+$/.test(p) ? { num: p } : { str: p.toLowerCase() }));
  }
  return v;
}

const cmpOpt = (a: string | undefined, b: string | undefined, missing: number): number =>
  a === undefined ? (b === undefined ? 0 : missing) : b === undefined ? -missing : compareDigits(a, b);

function compareRelease(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareDigits(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return Math.sign(a.length - b.length);
}

/** packaging's `_cmpkey` order for the pre-release slot. */
function preRank(v: Pep440Version): number {
  if (v.pre) return 0; // compared by letter and number
  return v.post === undefined && v.dev !== undefined ? -1 : 1;
}

function compareLocal(a: readonly LocalPart[] | undefined, b: readonly LocalPart[] | undefined): number {
  if (a === undefined || b === undefined) return a === undefined ? (b === undefined ? 0 : -1) : 1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if ('num' in x && 'num' in y) {
      const c = compareDigits(x.num, y.num);
      if (c !== 0) return c;
    } else if ('str' in x && 'str' in y) {
      const c = compareText(x.str, y.str);
      if (c !== 0) return c;
    } else return 'num' in x ? 1 : -1;
  }
  return Math.sign(a.length - b.length);
}

export function comparePep440(a: Pep440Version, b: Pep440Version): number {
  let c = compareDigits(a.epoch, b.epoch) || compareRelease(a.release, b.release);
  if (c !== 0) return c;
  const ra = preRank(a);
  const rb = preRank(b);
  if (ra !== rb) return Math.sign(ra - rb);
  if (a.pre && b.pre) {
    c = compareText(a.pre.letter, b.pre.letter) || compareDigits(a.pre.num, b.pre.num);
    if (c !== 0) return c;
  }
  if (a.post === undefined || b.post === undefined) {
    if (a.post !== b.post) return a.post === undefined ? -1 : 1;
  } else {
    c = compareText(a.post.letter, b.post.letter) || compareDigits(a.post.num, b.post.num);
    if (c !== 0) return c;
  }
  return cmpOpt(a.dev, b.dev, 1) || compareLocal(a.local, b.local);
}

export const pep440: VersionComparer = {
  name: 'pep440',
  compare: orderParsed(parsePep440, comparePep440),
  isValid: (v) => parsePep440(v) !== undefined,
};
