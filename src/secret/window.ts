import { MARGIN, type CompiledRule, type CompiledRules } from './compile.js';
import { Hits } from './keywords.js';
import { isNeverSecret, isSecretPlaceholder, redact, secretHash, shannonEntropy } from './filters.js';

/** A match that passed every check, placed by byte offsets in its window. Holds no secret. */
export interface Candidate {
  readonly rule: CompiledRule;
  /** Span reported as the location (the secret, or the whole match for `locateMatch` rules). */
  readonly start: number;
  readonly end: number;
  readonly evidence: string;
  /** `sha256:` of the secret, only when the allow-list names hashes. */
  readonly hash?: string;
}

export interface WindowInput {
  readonly path: string;
  readonly buf: Buffer;
  /** Only matches starting in [ownFrom, ownTo) are reported. */
  readonly ownFrom: number;
  readonly ownTo: number;
  readonly binary: boolean;
  /** File offset of the window's first byte. */
  readonly base: number;
  /** Rule index → whether it applies to this file. */
  readonly active: Uint8Array;
  /** Rule index → file offset where the rule's last match ended; matches starting earlier are dropped. Updated. */
  readonly after: Float64Array;
}

/** Per rule, merged byte ranges around keyword hits where a match may lie. */
function regions(c: CompiledRules, w: WindowInput): Map<number, number[]> {
  const { buf, active } = w;
  const len = buf.length;
  const out = new Map<number, number[]>();
  const add = (ri: number, hitStart: number, hitEnd: number) => {
    if (active[ri] !== 1) return;
    const max = c.rules[ri]!.rule.maxLength + MARGIN;
    const lo = Math.max(0, hitStart - max);
    const hi = Math.min(len, hitEnd + max);
    const list = out.get(ri);
    if (list === undefined) out.set(ri, [lo, hi]);
    else if (list[list.length - 1]! >= lo) list[list.length - 1] = Math.max(list[list.length - 1]!, hi);
    else list.push(lo, hi);
  };
  if (!w.binary) {
    const kws = c.matcher.keywords;
    const hits = new Hits();
    c.matcher.scan(buf, w.ownFrom, len, hits);
    for (let i = 0; i < hits.length; i++) {
      const end = hits.end[i]!;
      const k = hits.keyword[i]!;
      const start = end - kws[k]!.length;
      for (const ri of c.keywordRules[k]!) add(ri, start, end);
    }
  } else {
    // Hits of different literals arrive out of order; collect and sort before merging.
    const hits: Array<[number, number, number]> = [];
    for (const { literal, rules } of c.binaryLiterals) {
      for (let i = buf.indexOf(literal, w.ownFrom); i !== -1; i = buf.indexOf(literal, i + 1)) {
        for (const ri of rules) hits.push([i, i + literal.length, ri]);
      }
    }
    hits.sort((a, b) => a[0] - b[0]);
    for (const [s, e, ri] of hits) add(ri, s, e);
  }
  return out;
}

function secretOf(cr: CompiledRule, m: RegExpExecArray): [string, number, number] | undefined {
  const idx = m.indices;
  if (idx === undefined) return undefined;
  let g = cr.rule.secretGroup;
  if (g === undefined) {
    g = 0;
    for (let i = 1; i < m.length; i++) {
      if (m[i] !== undefined && m[i] !== '') {
        g = i;
        break;
      }
    }
  }
  const s = m[g];
  const span = idx[g];
  return s === undefined || span === undefined ? undefined : [s, span[0], span[1]];
}

function accepted(
  c: CompiledRules,
  cr: CompiledRule,
  sec: readonly [string, number, number],
  m: RegExpExecArray,
  text: string,
  path: string,
): boolean {
  const rule = cr.rule;
  const secret = sec[0];
  if (secret === '') return false;
  if (rule.allowValues?.some((r) => r.test(secret))) return false;
  if (isNeverSecret(secret)) return false;
  if (rule.placeholders && isSecretPlaceholder(secret)) return false;
  if (rule.entropy !== undefined && shannonEntropy(secret) <= rule.entropy) return false;
  if (rule.validate) {
    const ctx = {
      path,
      text,
      start: m.index,
      end: m.index + m[0].length,
      secretStart: sec[1],
      secretEnd: sec[2],
      groups: m,
    };
    if (!rule.validate(secret, ctx)) return false;
  }
  if (c.allow?.values.some((r) => r.test(secret))) return false;
  return true;
}

/** Runs the rules over one window and returns its candidates in offset order. */
export function evaluateWindow(c: CompiledRules, w: WindowInput): Candidate[] {
  const found: Candidate[] = [];
  for (const [ri, list] of regions(c, w)) {
    const cr = c.rules[ri]!;
    for (let i = 0; i < list.length; i += 2) {
      const lo = list[i]!;
      const text = w.buf.toString('latin1', lo, list[i + 1]!);
      const re = cr.re;
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        if (m[0].length === 0) re.lastIndex++;
        const at = lo + m.index;
        if (at < w.ownFrom || w.base + at < w.after[ri]!) continue;
        if (at >= w.ownTo) break;
        const sec = secretOf(cr, m);
        if (sec === undefined || !accepted(c, cr, sec, m, text, w.path)) continue;
        const [start, end] = cr.rule.locateMatch ? [at, at + m[0].length] : [lo + sec[1], lo + sec[2]];
        found.push({
          rule: cr,
          start,
          end,
          evidence: redact(sec[0]),
          ...(c.allowHashes.size > 0 ? { hash: secretHash(sec[0]) } : {}),
        });
        w.after[ri] = w.base + at + m[0].length;
      }
    }
  }
  return dropSuperseded(found).sort((a, b) => a.start - b.start || a.rule.index - b.rule.index);
}

/** Generic findings yield to specific ones on the same bytes; `supersedes` replaces named rules. */
function dropSuperseded(found: Candidate[]): Candidate[] {
  if (found.length < 2) return found;
  found.sort((a, b) => a.start - b.start);
  const beats = (y: Candidate, x: Candidate) =>
    (x.rule.rule.generic === true && y.rule.rule.generic !== true) ||
    y.rule.supersedes.includes(x.rule.index);
  const dropped = new Set<Candidate>();
  for (let i = 0; i < found.length; i++) {
    const x = found[i]!;
    for (let j = i + 1; j < found.length && found[j]!.start < x.end; j++) {
      const y = found[j]!;
      if (y.start >= x.end || x.start >= y.end) continue;
      if (beats(y, x)) dropped.add(x);
      if (beats(x, y)) dropped.add(y);
    }
  }
  return dropped.size === 0 ? found : found.filter((x) => !dropped.has(x));
}
