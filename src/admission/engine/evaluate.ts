/**
 * The admission decision for one Kubernetes object: each pod template it
 * holds is checked against every policy rule that selects it (Pod Security
 * Standards, image rules, isolation rules); a finding of an `enforce` rule
 * denies, of a `warn` rule warns, of an `audit` rule is only recorded;
 * exemptions lift findings (an expired one is reported). The same function
 * serves the webhook, `mamori policy test` and the registry's pull gate, so
 * they give the same verdicts.
 */
import { checkImage, type ImageFacts } from '../images/index.js';
import { checkIsolation } from '../isolation/index.js';
import { evaluatePodSecurity } from '../pss/index.js';
import { type PodTemplate, podSpecsOf } from '../workload/index.js';
import { exemption, type Policy, type PolicyMode, type PolicyRule, rulesFor } from '../../policy/index.js';
import { labelsOf, subjectOf, templateImages } from './template.js';

export interface Finding {
  readonly rule: string;
  readonly mode: PolicyMode;
  /** Stable id of the check: `privileged`, `image.signature`, `isolation.resources`, … */
  readonly control: string;
  /** Field path in the object. */
  readonly path: string;
  readonly message: string;
  readonly fix: string;
  /** The reason of the exemption that lifted it, when one did. */
  readonly exempted?: string;
}

export interface Verdict {
  readonly allowed: boolean;
  /** Findings of `enforce` rules that are not exempted: the reasons for a denial. */
  readonly denials: readonly Finding[];
  /** Findings of `warn` rules. */
  readonly warnings: readonly Finding[];
  /** Findings of `audit` rules and exempted findings, for the decision log. */
  readonly audits: readonly Finding[];
  /** Exemptions that would have applied but expired (renew or remove them). */
  readonly expiredExemptions: readonly string[];
  /** The object could not be read (as a whole or in part): a denial in itself. */
  readonly errors: readonly string[];
}

/** Looks up what the image rules need: digest, scan result, signature verification. */
export type ImageResolver = (image: string, rule: PolicyRule) => Promise<ImageFacts>;

export interface EvaluateOptions {
  /** The namespace of the request when the object does not name one. */
  readonly namespace?: string;
  /** The requesting user (exemptions by user). */
  readonly user?: string;
  readonly now?: number;
  /** Without a resolver every image fact is unknown (scan and signature rules then deny). */
  readonly resolveImage?: ImageResolver;
}

/** The checks of one rule on one pod template (before modes and exemptions). */
async function ruleFindings(
  rule: PolicyRule,
  t: PodTemplate,
  resolve: ImageResolver,
  cache: Map<string, Promise<ImageFacts>>,
): Promise<(Omit<Finding, 'rule' | 'mode'> & { image?: string })[]> {
  const out: (Omit<Finding, 'rule' | 'mode'> & { image?: string })[] = [];
  if (rule.podSecurity && rule.podSecurity.level !== 'privileged') {
    const { level, version } = rule.podSecurity;
    out.push(
      ...evaluatePodSecurity(t, { level, version }).map((v) => ({
        control: v.control,
        path: v.path,
        message: v.message,
        fix: v.fix,
      })),
    );
  }
  if (rule.images) {
    for (const { image, path } of templateImages(t)) {
      const key = `${rule.name}\0${image}`;
      let facts = cache.get(key);
      if (!facts) {
        facts = resolve(image, rule);
        cache.set(key, facts);
      }
      for (const v of checkImage(image, path, rule.images, await facts)) out.push({ ...v, image });
    }
  }
  if (rule.isolation) {
    out.push(...checkIsolation(labelsOf(t.metadata), t.spec, t.specPath || 'spec', rule.isolation));
  }
  return out;
}

const unknownFacts: ImageResolver = async () => ({});

/** Decides on one object (a Pod or any pod-owning kind; other kinds are allowed untouched). */
export async function evaluateObject(
  object: unknown,
  policy: Policy,
  options: EvaluateOptions = {},
): Promise<Verdict> {
  const now = options.now ?? Date.now();
  const { templates, errors } = podSpecsOf(object);
  const denials: Finding[] = [];
  const warnings: Finding[] = [];
  const audits: Finding[] = [];
  const expired = new Set<string>();
  const cache = new Map<string, Promise<ImageFacts>>();
  for (const t of templates) {
    const subject = subjectOf(object, t, options);
    for (const rule of rulesFor(policy, subject)) {
      for (const f of await ruleFindings(rule, t, options.resolveImage ?? unknownFacts, cache)) {
        const ex = exemption(policy, rule.name, subject, now, f.image);
        for (const e of ex.expired)
          expired.add(`${e.reason} (expired ${new Date(e.expires ?? 0).toISOString().slice(0, 10)})`);
        const finding: Finding = {
          rule: rule.name,
          mode: rule.mode,
          control: f.control,
          path: f.path,
          message: f.message,
          fix: f.fix,
          ...(ex.exempt ? { exempted: ex.exempt.reason } : {}),
        };
        if (ex.exempt || rule.mode === 'audit') audits.push(finding);
        else if (rule.mode === 'warn') warnings.push(finding);
        else denials.push(finding);
      }
    }
  }
  return {
    allowed: denials.length === 0 && errors.length === 0,
    denials,
    warnings,
    audits,
    expiredExemptions: [...expired],
    errors,
  };
}

/** One line per finding, as a denial message or a warning: rule, field path, what is wrong, the fix. */
export function describeFinding(f: Finding): string {
  return `[${f.rule}] ${f.path}: ${f.message} — fix: ${f.fix}`;
}
