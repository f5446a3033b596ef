/**
 * CycloneDX vulnerability parts that package findings (cyclonedx-vex.ts) and
 * rule findings (cyclonedx-rules.ts) share: severities, the `analysis` a
 * suppression becomes, and advisory URLs.
 */
import { Enums, Models } from '@cyclonedx/cyclonedx-library';
import type { SeverityLevel } from '../core/index.js';
import type { VexStatus } from './findings.js';
import type { Suppression } from './findings-view.js';

const V = Models.Vulnerability;
const E = Enums.Vulnerability;

export const SEVERITY: Readonly<Record<SeverityLevel, Enums.Vulnerability.Severity>> = {
  CRITICAL: E.Severity.Critical,
  HIGH: E.Severity.High,
  MEDIUM: E.Severity.Medium,
  LOW: E.Severity.Low,
  NEGLIGIBLE: E.Severity.Info,
  UNKNOWN: E.Severity.Unknown,
};

/** OpenVEX statuses as CycloneDX analysis states; an ignore-file entry reads as `not_affected`. */
const STATE: Readonly<Record<VexStatus, Enums.Vulnerability.AnalysisState>> = {
  not_affected: E.AnalysisState.NotAffected,
  fixed: E.AnalysisState.Resolved,
  affected: E.AnalysisState.Exploitable,
  under_investigation: E.AnalysisState.InTriage,
};

/** OpenVEX justifications in CycloneDX's words, as vexctl and Trivy translate them. */
const OPENVEX_JUSTIFICATION: Readonly<Record<string, Enums.Vulnerability.AnalysisJustification>> = {
  component_not_present: E.AnalysisJustification.CodeNotPresent,
  vulnerable_code_not_present: E.AnalysisJustification.CodeNotPresent,
  vulnerable_code_not_in_execute_path: E.AnalysisJustification.CodeNotReachable,
  vulnerable_code_cannot_be_controlled_by_adversary: E.AnalysisJustification.RequiresEnvironment,
  inline_mitigations_already_exist: E.AnalysisJustification.ProtectedByMitigatingControl,
};

function justification(j: string | undefined): Enums.Vulnerability.AnalysisJustification | undefined {
  if (j === undefined) return undefined;
  const own = OPENVEX_JUSTIFICATION[j];
  if (own !== undefined) return own;
  return (Object.values(E.AnalysisJustification) as string[]).includes(j)
    ? (j as Enums.Vulnerability.AnalysisJustification)
    : undefined;
}

/** A suppression as a CycloneDX analysis: the VEX state and justification, the reason as `detail`. */
export function analysis(s: Suppression): Models.Vulnerability.Analysis {
  const just = s.status === 'not_affected' ? justification(s.justification) : undefined;
  // A justification CycloneDX has no word for is kept in the detail rather than lost.
  const unmapped =
    s.justification !== undefined && just === undefined ? ` (justification: ${s.justification})` : '';
  const detail = `${s.reason}${unmapped}`;
  return new V.Analysis({
    state: STATE[s.status],
    justification: just,
    detail: detail.length > 0 ? detail : undefined,
  });
}

/** The URL normalised when it is an absolute http(s) URL, else undefined. */
export function httpUrl(u: string): string | undefined {
  try {
    const url = new URL(u);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
