/**
 * Which rules apply to an object, and which exemptions lift them. Namespace
 * and image patterns are globs (`team-*`, `registry.example.com/tools/*`);
 * an expired exemption lifts nothing and is reported so it gets renewed or
 * removed.
 */
import { minimatch } from 'minimatch';
import type { Exemption, Match, Policy, PolicyRule } from './model.js';

export interface Subject {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The requesting user (AdmissionReview `userInfo.username`), when known. */
  readonly user?: string;
}

const glob = (value: string, pattern: string): boolean =>
  minimatch(value, pattern, { nobrace: true, noext: true, dot: true });

export function matches(match: Match, s: Subject): boolean {
  if (match.namespaces.length > 0 && !match.namespaces.some((p) => glob(s.namespace, p))) return false;
  if (match.excludeNamespaces.some((p) => glob(s.namespace, p))) return false;
  return Object.entries(match.labels).every(([k, v]) => s.labels[k] === v);
}

/** The rules whose match selects the subject, in policy order. */
export function rulesFor(policy: Policy, s: Subject): PolicyRule[] {
  return policy.rules.filter((r) => matches(r.match, s));
}

export interface ExemptionDecision {
  /** The exemption that lifts the rule, if any. */
  readonly exempt?: Exemption;
  /** Exemptions that would have applied but have expired. */
  readonly expired: readonly Exemption[];
}

/**
 * Whether a rule is lifted for the subject (and, for image rules, the image).
 * An exemption applies when every field it names matches: its namespaces
 * (globs), users (exact) and images (globs), and its rules (or all rules).
 */
export function exemption(
  policy: Policy,
  rule: string,
  s: Subject,
  now: number,
  image?: string,
): ExemptionDecision {
  const expired: Exemption[] = [];
  for (const e of policy.exemptions) {
    if (e.rules.length > 0 && !e.rules.includes(rule)) continue;
    if (e.namespaces.length > 0 && !e.namespaces.some((p) => glob(s.namespace, p))) continue;
    if (e.users.length > 0 && (s.user === undefined || !e.users.includes(s.user))) continue;
    if (e.images.length > 0 && (image === undefined || !e.images.some((p) => glob(image, p)))) continue;
    if (e.expires !== undefined && e.expires <= now) {
      expired.push(e);
      continue;
    }
    return { exempt: e, expired };
  }
  return { expired };
}
