import { MamoriError } from '../core/index.js';
import { keywordMatcher, type KeywordMatcher } from './keywords.js';
import { SECRET_RULES } from './rules.js';
import { DEFAULT_SCANNED_PATHS, DEFAULT_SKIP_PATHS, globMatcher } from './skip.js';
import type { AllowList, SecretRule, SecretScannerOptions } from './types.js';

/** Bytes of context kept on each side of a candidate region and of a window's owned range. */
export const MARGIN = 128;

export interface CompiledRule {
  readonly rule: SecretRule;
  readonly index: number;
  /** A private copy with the `g` and `d` flags. */
  readonly re: RegExp;
  readonly appliesTo: (path: string) => boolean;
  /** Indices of the rules this one's findings replace on the same bytes. */
  readonly supersedes: readonly number[];
}

/** Everything a scan needs, built once per scanner: no state changes afterwards. */
export interface CompiledRules {
  readonly rules: readonly CompiledRule[];
  readonly matcher: KeywordMatcher;
  /** Keyword index → rule indices. */
  readonly keywordRules: readonly (readonly number[])[];
  /** Longest match of any rule plus margin: half the overlap kept between windows. */
  readonly overlap: number;
  /** Exact literals searched in binary files, with the rules they serve. */
  readonly binaryLiterals: readonly { readonly literal: Buffer; readonly rules: readonly number[] }[];
  readonly skipped: (path: string) => boolean;
  readonly allow?: AllowList;
  readonly allowHashes: ReadonlySet<string>;
  readonly allowLocations: ReadonlySet<string>;
}

export function locationKey(ruleId: string, path: string, line: number): string {
  return `${ruleId}\0${path}\0${line}`;
}

/** Compiles the rules of a scanner; a malformed rule (custom rules are input too) is a MamoriError. */
export function compileRules(opts: SecretScannerOptions): CompiledRules {
  try {
    return compile(opts);
  } catch (e) {
    if (e instanceof MamoriError) throw e;
    throw new MamoriError('INVALID_ARGUMENT', `secret rules: ${(e as Error).message}`, { cause: e });
  }
}

function compile(opts: SecretScannerOptions): CompiledRules {
  const disabled = new Set(opts.allow?.disabledRules ?? []);
  const selected = (opts.rules ?? SECRET_RULES).filter((r) => !disabled.has(r.id));
  const ids = new Map(selected.map((r, i) => [r.id, i]));
  const rules: CompiledRule[] = selected.map((rule, index) => {
    const flags = [...new Set([...rule.regex.flags.replace(/[gy]/g, ''), 'g', 'd'])].join('');
    const only = rule.paths ? globMatcher(rule.paths) : undefined;
    return {
      rule,
      index,
      re: new RegExp(rule.regex.source, flags),
      appliesTo: only ?? (() => true),
      supersedes: (rule.supersedes ?? []).flatMap((id) => ids.get(id) ?? []),
    };
  });

  const keywords: string[] = [];
  const keywordRules: number[][] = [];
  const kwIndex = new Map<string, number>();
  for (const r of rules) {
    for (const k of r.rule.keywords) {
      const key = k.toLowerCase();
      let i = kwIndex.get(key);
      if (i === undefined) {
        i = keywords.length;
        kwIndex.set(key, i);
        keywords.push(key);
        keywordRules.push([]);
      }
      keywordRules[i]!.push(r.index);
    }
  }

  const literals = new Map<string, number[]>();
  for (const r of rules) {
    for (const lit of r.rule.binary ?? []) {
      const list = literals.get(lit) ?? [];
      list.push(r.index);
      literals.set(lit, list);
    }
  }

  const defaults = opts.defaultSkips !== false;
  const skip = globMatcher(defaults ? DEFAULT_SKIP_PATHS : []);
  const keep = globMatcher(defaults ? DEFAULT_SCANNED_PATHS : []);
  const allowed = globMatcher(opts.allow?.paths ?? []);
  const findings = opts.allow?.findings ?? [];
  return {
    rules,
    matcher: keywordMatcher(keywords),
    keywordRules,
    overlap: Math.max(0, ...rules.map((r) => r.rule.maxLength)) + MARGIN,
    binaryLiterals: [...literals].map(([literal, rs]) => ({
      literal: Buffer.from(literal, 'latin1'),
      rules: rs,
    })),
    // Skipped: an allow-listed path, or a default skip that no default exception takes back.
    skipped: (p: string) => allowed(p) || (skip(p) && !keep(p)),
    ...(opts.allow ? { allow: opts.allow } : {}),
    allowHashes: new Set(findings.flatMap((f) => (f.kind === 'hash' ? [f.sha256] : []))),
    allowLocations: new Set(
      findings.flatMap((f) => (f.kind === 'location' ? [locationKey(f.ruleId, f.path, f.line)] : [])),
    ),
  };
}
