/** `checkImage`: every image rule over one analysis, and the attack surface. */
import { type RuleFinding, severityRank } from '../core/index.js';
import type { ImageAnalysis } from '../inventory/index.js';
import { createSecretScanner, type SecretScanner } from '../secret/index.js';
import { buildContext } from './context.js';
import { HISTORY_RULE_IDS, IMAGE_RULES, type ImageRule } from './rules/index.js';
import { attackSurface } from './surface.js';
import type { ImageCheckResult, ImageHit } from './types.js';
import { shown } from './config.js';

/** Findings kept per rule; the rest are summed up in one more finding. */
export const MAX_FINDINGS_PER_RULE = 50;

export interface CheckOptions {
  /**
   * Finds known-format secrets in Env, Labels, the entrypoint and the
   * history (its allow-list applies). Default: a scanner with the built-in
   * rules. `false` reports none (they are still masked in what other
   * findings quote).
   */
  readonly secrets?: SecretScanner | false;
}

function toFinding(rule: ImageRule, hit: ImageHit): RuleFinding {
  return {
    kind: 'misconfig',
    ruleId: rule.id,
    title: rule.title,
    severity: hit.severity ?? rule.severity,
    rationale: rule.rationale,
    fix: shown(hit.fix ?? rule.fix, 400),
    location: hit.location,
    evidence: shown(hit.evidence, 600),
    ...(rule.references.length > 0 ? { references: rule.references } : {}),
  };
}

function runRule(rule: ImageRule, ctx: Parameters<ImageRule['check']>[0]): RuleFinding[] {
  const out: RuleFinding[] = [];
  let more = 0;
  let first: ImageHit | undefined;
  for (const hit of rule.check(ctx)) {
    if (out.length < MAX_FINDINGS_PER_RULE) out.push(toFinding(rule, hit));
    else {
      first ??= hit;
      more++;
    }
  }
  if (first !== undefined) {
    out.push(
      toFinding(rule, {
        location: first.location,
        evidence: `${more} more finding${more === 1 ? '' : 's'} of this rule, the first: ${first.evidence}`,
      }),
    );
  }
  return out;
}

/**
 * Checks a built image: its config, its history and its final filesystem,
 * against the rules of IMAGE_RULES, and sums up its attack surface. Pure:
 * reads only the analysis (run `analyzeImageRef` with
 * `imageCheckAnalyzers()` so the account databases and executables were read).
 */
export function checkImage(analysis: ImageAnalysis, opts: CheckOptions = {}): ImageCheckResult {
  const scanner = opts.secrets === undefined || opts.secrets === false ? createSecretScanner() : opts.secrets;
  const { ctx, secrets } = buildContext(analysis, scanner, HISTORY_RULE_IDS);
  const findings: RuleFinding[] = opts.secrets === false ? [] : [...secrets];
  for (const rule of IMAGE_RULES) findings.push(...runRule(rule, ctx));
  findings.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
      (a.location.path < b.location.path ? -1 : a.location.path > b.location.path ? 1 : 0),
  );
  return { findings, surface: attackSurface(ctx) };
}
