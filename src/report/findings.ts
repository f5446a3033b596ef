/**
 * What a scan found, as the report renderers take it, and mamori's own scan
 * JSON. A report holds vulnerability findings and rule findings (secrets,
 * misconfigurations), each active or suppressed (an ignore file or a VEX
 * statement for vulnerabilities, an ignore-file entry naming the rule for
 * rule findings). The table is in findings-table.ts, SARIF in sarif.ts,
 * CycloneDX with vulnerabilities in cyclonedx-vex.ts (rule findings in
 * cyclonedx-rules.ts).
 */
import { SEVERITIES, type Finding, type RuleFinding, type SeverityLevel } from '../core/index.js';
import { compareStrings } from './model.js';

/** An OpenVEX status. */
export type VexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';

/** A finding that an ignore file or a VEX statement suppresses: reported apart, never lost. */
export interface SuppressedFinding {
  readonly finding: Finding;
  /** Why, in the words of the ignore file or VEX statement. */
  readonly reason: string;
  /** Where the suppression comes from: `ignore-file:.mamoriignore.yaml`, `openvex:file.json`, … */
  readonly source: string;
  /**
   * The statement's status and justification when a VEX document suppressed it; absent for an
   * ignore-file entry, which reads as `not_affected` without justification. The justification is
   * taken in OpenVEX (`vulnerable_code_not_in_execute_path`, …) or CycloneDX (`code_not_reachable`,
   * …) vocabulary.
   */
  readonly vex?: { readonly status: VexStatus; readonly justification?: string };
}

/**
 * A rule finding (secret, misconfiguration) that an ignore-file entry naming its rule suppresses:
 * reported apart, never lost. Reads as VEX `not_affected` without justification.
 */
export interface SuppressedRuleFinding {
  readonly finding: RuleFinding;
  /** Why, in the words of the ignore file. */
  readonly reason: string;
  /** Where the suppression comes from: `ignore-file:.mamoriignore.yaml#ignore[3]`. */
  readonly source: string;
}

export interface FindingsReport {
  readonly target: string;
  readonly findings: readonly Finding[];
  /** Secrets and misconfigurations found by the rule-based scanners. */
  readonly ruleFindings?: readonly RuleFinding[];
  readonly suppressed?: readonly SuppressedFinding[];
  /** Rule findings an ignore file suppresses. */
  readonly suppressedRules?: readonly SuppressedRuleFinding[];
}

export type SeverityCounts = Record<SeverityLevel, number>;

/** How many of `items` have each severity (every level present, zero included). */
export function countSeverities(items: readonly { readonly severity: SeverityLevel }[]): SeverityCounts {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as SeverityCounts;
  for (const i of items) {
    const s: unknown = (i as { severity?: unknown } | null)?.severity;
    if (typeof s === 'string' && Object.prototype.hasOwnProperty.call(counts, s))
      counts[s as SeverityLevel] += 1;
  }
  return counts;
}

function field(v: unknown, ...path: string[]): string {
  let cur = v;
  for (const k of path)
    cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[k] : undefined;
  return typeof cur === 'string' ? cur : typeof cur === 'number' ? String(cur).padStart(12, '0') : '';
}

function rank(v: unknown): number {
  return (SEVERITIES as readonly unknown[]).indexOf(v);
}

/** A copy sorted most severe first, then by the given fields; whatever the entries hold. */
function sorted<T>(items: readonly T[] | undefined, sev: (t: T) => unknown, keys: (t: T) => string[]): T[] {
  if (!Array.isArray(items)) return [];
  return [...(items as readonly T[])].sort((a, b) => {
    const r = rank(sev(b)) - rank(sev(a));
    if (r !== 0) return r;
    const ka = keys(a);
    const kb = keys(b);
    for (let i = 0; i < ka.length; i++) {
      const c = compareStrings(ka[i] ?? '', kb[i] ?? '');
      if (c !== 0) return c;
    }
    return 0;
  });
}

const findingKeys = (f: unknown): string[] => [
  field(f, 'id'),
  field(f, 'package', 'type'),
  field(f, 'package', 'name'),
  field(f, 'package', 'version'),
  field(f, 'package', 'purl'),
];

const ruleKeys = (r: unknown): string[] => [
  field(r, 'ruleId'),
  field(r, 'location', 'path'),
  field(r, 'location', 'startLine'),
];

/**
 * mamori's scan JSON: the target, the findings with counts per severity, the
 * rule findings with theirs, the suppressed vulnerability findings
 * (`suppressed`) and suppressed rule findings (`suppressedRules`) with why,
 * and totals. Every list is sorted most severe first, then by id and place.
 * Keys present in earlier versions keep their meaning: each total is the
 * length of its list, so `totals.suppressed` still counts suppressed
 * vulnerability findings only and `totals.suppressedRules` counts the
 * suppressed rule findings.
 */
export function renderFindingsJson(
  report: FindingsReport & { readonly extra?: Record<string, unknown> },
): string {
  const findings = sorted(report.findings, (f) => (f as Partial<Finding> | null)?.severity, findingKeys);
  const ruleFindings = sorted(
    report.ruleFindings,
    (r) => (r as Partial<RuleFinding> | null)?.severity,
    ruleKeys,
  );
  const suppressed = sorted(
    report.suppressed,
    (s) => (s as Partial<SuppressedFinding> | null)?.finding?.severity,
    (s) => findingKeys((s as Partial<SuppressedFinding> | null)?.finding),
  );
  const suppressedRules = sorted(
    report.suppressedRules,
    (s) => (s as Partial<SuppressedRuleFinding> | null)?.finding?.severity,
    (s) => ruleKeys((s as Partial<SuppressedRuleFinding> | null)?.finding),
  );
  return `${JSON.stringify(
    {
      schemaVersion: 1,
      target: report.target,
      counts: countSeverities(findings),
      findings,
      ruleCounts: countSeverities(ruleFindings),
      ruleFindings,
      suppressed,
      suppressedRules,
      totals: {
        vulnerabilities: findings.length,
        ruleFindings: ruleFindings.length,
        suppressed: suppressed.length,
        suppressedRules: suppressedRules.length,
      },
      ...report.extra,
    },
    null,
    2,
  )}\n`;
}
