/**
 * Alpine versions, as apk-tools 3 orders them (`src/version.c`):
 * `digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r#}`.
 *
 * Tokens compare in order: numbers numerically (but a dotted component with
 * a leading zero compares as text, as in Gentoo), a letter by its code,
 * suffixes as `_alpha` < `_beta` < `_pre` < `_rc` < (none) < `_cvs` <
 * `_svn` < `_git` < `_hg` < `_p`, a commit hash as text, `-rN` numerically.
 * When one version runs out first, the other is newer unless what it has
 * next is a pre-release suffix. Numbers wrap at 2^64 as apk's do.
 *
 * An invalid version compares as apk compares it: token by token up to the
 * first token apk cannot read, which ranks below the end of a version (and
 * above a pre-release suffix); two versions invalid at the same point after
 * equal tokens are equal. apk-tools 2 agrees on every valid version except
 * dotted components with leading zeros (`8.2.0` < `8.2.001` here, the other
 * way round there).
 */
import type { VersionComparer } from '../types.js';
import { compareText } from '../util.js';

const enum Tok {
  InitialDigit,
  Digit,
  Letter,
  Suffix,
  SuffixNo,
  CommitHash,
  RevisionNo,
  End,
  Invalid,
}

/** Suffix ranks; `None` (5) is the place of a version without one. */
const SUFFIXES: Readonly<Record<string, number>> = {
  alpha: 1,
  beta: 2,
  pre: 3,
  rc: 4,
  cvs: 6,
  svn: 7,
  git: 8,
  hg: 9,
  p: 10,
};
const SUFFIX_NONE = 5;

interface State {
  tok: Tok;
  value: string;
  number: bigint;
  suffix: number;
  pos: number;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isLower = (c: string | undefined) => c !== undefined && c >= 'a' && c <= 'z';
const isHex = (c: string | undefined) => isDigit(c) || (c !== undefined && c >= 'a' && c <= 'f');

function span(s: string, from: number, pred: (c: string | undefined) => boolean): number {
  let i = from;
  while (i < s.length && pred(s[i])) i++;
  return i;
}

function parseDigits(t: State, s: string): void {
  const end = span(s, t.pos, isDigit);
  t.value = s.slice(t.pos, end);
  t.pos = end;
  if (t.value === '') t.tok = Tok.Invalid;
  else t.number = BigInt.asUintN(64, BigInt(t.value));
}

function first(s: string): State {
  const t: State = { tok: Tok.InitialDigit, value: '', number: 0n, suffix: 0, pos: 0 };
  parseDigits(t, s);
  return t;
}

function next(t: State, s: string): void {
  if (t.pos >= s.length) {
    t.tok = Tok.End;
    return;
  }
  const c = s[t.pos];
  if (isLower(c)) {
    if (t.tok > Tok.Digit) return void (t.tok = Tok.Invalid);
    t.value = c!;
    t.tok = Tok.Letter;
    t.pos++;
  } else if (c === '.' || isDigit(c)) {
    if (c === '.') {
      if (t.tok > Tok.Digit) return void (t.tok = Tok.Invalid);
      t.pos++;
    }
    if (t.tok === Tok.InitialDigit || t.tok === Tok.Digit) t.tok = Tok.Digit;
    else if (t.tok === Tok.Suffix) t.tok = Tok.SuffixNo;
    else return void (t.tok = Tok.Invalid);
    parseDigits(t, s);
  } else if (c === '_') {
    if (t.tok > Tok.SuffixNo) return void (t.tok = Tok.Invalid);
    const end = span(s, t.pos + 1, isLower);
    t.value = s.slice(t.pos + 1, end);
    t.pos = end;
    t.suffix = Object.hasOwn(SUFFIXES, t.value) ? SUFFIXES[t.value]! : 0;
    t.tok = t.suffix === 0 ? Tok.Invalid : Tok.Suffix;
  } else if (c === '~') {
    if (t.tok >= Tok.CommitHash) return void (t.tok = Tok.Invalid);
    const end = span(s, t.pos + 1, isHex);
    t.value = s.slice(t.pos + 1, end);
    t.pos = end;
    t.tok = t.value === '' ? Tok.Invalid : Tok.CommitHash;
  } else if (c === '-') {
    if (t.tok >= Tok.RevisionNo || s[t.pos + 1] !== 'r') return void (t.tok = Tok.Invalid);
    t.pos += 2;
    t.tok = Tok.RevisionNo;
    parseDigits(t, s);
  } else {
    t.tok = Tok.Invalid;
  }
}

function tokenCompare(a: State, b: State): number {
  switch (a.tok) {
    case Tok.Digit:
      // A leading zero on either side compares as text, as in Gentoo.
      if (a.value[0] === '0' || b.value[0] === '0') return compareText(a.value, b.value);
      return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
    case Tok.InitialDigit:
    case Tok.SuffixNo:
    case Tok.RevisionNo:
      return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
    case Tok.Letter:
      return compareText(a.value, b.value);
    case Tok.Suffix:
      return Math.sign(a.suffix - b.suffix);
    default:
      return compareText(a.value, b.value);
  }
}

/** apk's `apk_version_compare`. */
export function apkCompare(x: string, y: string): number {
  const a = first(x);
  const b = first(y);
  while (a.tok === b.tok && a.tok < Tok.End) {
    const r = tokenCompare(a, b);
    if (r !== 0) return r;
    next(a, x);
    next(b, y);
  }
  if (a.tok === b.tok) return 0;
  if (a.tok === Tok.Suffix && a.suffix < SUFFIX_NONE) return -1;
  if (b.tok === Tok.Suffix && b.suffix < SUFFIX_NONE) return 1;
  return a.tok > b.tok ? -1 : 1;
}

/** apk's `apk_version_validate`. */
export function apkValid(v: string): boolean {
  const t = first(v);
  while (t.tok < Tok.End) next(t, v);
  return t.tok === Tok.End;
}

export const apk: VersionComparer = { name: 'apk', compare: apkCompare, isValid: apkValid };
