/**
 * Rule findings (secrets, misconfigurations) as CycloneDX 1.6
 * `vulnerabilities` entries, which the specification allows for weaknesses
 * and misconfigurations as well as for advisories. One entry per finding,
 * active or suppressed:
 * - `bom-ref` `mamori:rule:RULE:FINGERPRINT`, `id` the rule id, `source`
 *   mamori (the rule is mamori's own), the reference URLs as `advisories`;
 * - `description` the title, `detail` the rationale, `recommendation` the fix;
 * - `cwes`: CWE-798 (Use of Hard-coded Credentials) for every secret, plus
 *   any CWE whose definition page the finding lists among its references
 *   (a misconfiguration has a CWE only when it says so);
 * - `ratings`: the rule's severity (method `other`); none when it is unknown;
 * - `affects`: the image itself, the BOM's `metadata.component` — a secret
 *   in a layer or a setting in the image config belongs to no package, and a
 *   Dockerfile finding is about the image built from it;
 * - `analysis` for suppressed findings: `not_affected`, the reason as
 *   `detail`;
 * - `properties`: `mamori:rule:kind`, `…:path`, `…:line` (first line),
 *   `…:layerIndex` and `…:layerDiffID`, `…:deleted` (only when true),
 *   `…:evidence` (redacted by the scanner), `mamori:finding:fingerprint`,
 *   and `mamori:suppression:source` for suppressed findings.
 * Entries are sorted by rule id, path, line and fingerprint.
 */
import { Enums, Models } from '@cyclonedx/cyclonedx-library';
import { SEVERITY, analysis, httpUrl } from './cyclonedx-analysis.js';
import type { RuleFindingView } from './findings-view.js';
import { compareStrings } from './model.js';

const V = Models.Vulnerability;

/** CWE-798: Use of Hard-coded Credentials. */
export const CWE_HARD_CODED_CREDENTIALS = 798;

const CWE_PAGE = /^https?:\/\/cwe\.mitre\.org\/data\/definitions\/([1-9][0-9]{0,5})\.html$/;

/** The advisory URLs (normalised, each once) and the CWEs a rule finding names. */
function links(r: RuleFindingView): { urls: string[]; cwes: number[] } {
  const urls: string[] = [];
  const cwes = new Set<number>(r.kind === 'secret' ? [CWE_HARD_CODED_CREDENTIALS] : []);
  for (const ref of r.references) {
    const url = httpUrl(ref);
    if (url === undefined || urls.includes(url)) continue;
    urls.push(url);
    const cwe = CWE_PAGE.exec(url)?.[1];
    if (cwe !== undefined) cwes.add(Number(cwe));
  }
  return { urls, cwes: [...cwes].sort((a, b) => a - b) };
}

function ruleVulnerability(
  r: RuleFindingView,
  subject: Models.Component,
): Models.Vulnerability.Vulnerability {
  const { urls, cwes } = links(r);
  const v = new V.Vulnerability({
    bomRef: `mamori:rule:${r.ruleId}:${r.fingerprint}`,
    id: r.ruleId,
    source: new V.Source({ name: 'mamori' }),
    description: r.title,
    detail: r.rationale.length > 0 ? r.rationale : undefined,
    recommendation: r.fix,
    analysis: r.suppression === undefined ? undefined : analysis(r.suppression),
  });
  for (const c of cwes) v.cwes.add(c);
  if (r.severity !== 'UNKNOWN') {
    v.ratings.add(
      new V.Rating({ severity: SEVERITY[r.severity], method: Enums.Vulnerability.RatingMethod.Other }),
    );
  }
  for (const url of urls) v.advisories.add(new V.Advisory(url));
  v.affects.add(new V.Affect(subject.bomRef));
  const l = r.location;
  const prop = (name: string, value: string | number | undefined): void => {
    if (value !== undefined) v.properties.add(new Models.Property(name, String(value)));
  };
  prop('mamori:rule:kind', r.kind);
  prop('mamori:rule:path', l.path);
  prop('mamori:rule:line', l.startLine);
  prop('mamori:rule:layerIndex', l.layer?.index);
  prop('mamori:rule:layerDiffID', l.layer?.diffId);
  if (l.deleted) prop('mamori:rule:deleted', 'true');
  prop('mamori:rule:evidence', r.evidence);
  prop('mamori:finding:fingerprint', r.fingerprint);
  prop('mamori:suppression:source', r.suppression?.source);
  return v;
}

function compareRules(a: RuleFindingView, b: RuleFindingView): number {
  return (
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(a.location.path, b.location.path) ||
    (a.location.startLine ?? 0) - (b.location.startLine ?? 0) ||
    compareStrings(a.fingerprint, b.fingerprint)
  );
}

/** The `vulnerabilities` entries of the rule findings, in a stable order, each affecting `subject`. */
export function ruleVulnerabilities(
  rules: readonly RuleFindingView[],
  subject: Models.Component,
): Models.Vulnerability.Vulnerability[] {
  return [...rules].sort(compareRules).map((r) => ruleVulnerability(r, subject));
}
