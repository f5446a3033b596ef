/**
 * Renderers of scan results: a table for people and mamori's own JSON.
 * (SARIF and CycloneDX with vulnerabilities build on the same values.)
 */
import { SEVERITIES, type Finding } from '../core/index.js';
import { formatColumns } from './table.js';
import { safeText } from './text.js';

export interface FindingsReport {
  readonly target: string;
  readonly findings: readonly Finding[];
}

function fixCell(f: Finding): string {
  if (f.status === 'fixed') return f.fixedVersions.join(', ');
  return f.status === 'undetermined' ? '(undetermined)' : '(no fix yet)';
}

/** Findings as a table, most severe first, with a count per severity. */
export function renderFindingsTable(report: FindingsReport, opts: { color?: boolean } = {}): string {
  const color = opts.color === true;
  const counts = SEVERITIES.map((s) => [s, report.findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .reverse();
  const summary = `${safeText(report.target)}: ${report.findings.length} vulnerabilit${report.findings.length === 1 ? 'y' : 'ies'}${
    counts.length ? ` (${counts.map(([s, n]) => `${s}: ${n}`).join(', ')})` : ''
  }\n`;
  if (report.findings.length === 0) return summary;
  const rows = report.findings.map((f) => {
    return [
      safeText(f.package.name),
      safeText(f.id),
      f.severity,
      safeText(f.package.version),
      safeText(fixCell(f)),
      safeText((f.summary ?? '').slice(0, 60)),
    ];
  });
  return `${summary}\n${formatColumns(['PACKAGE', 'VULNERABILITY', 'SEVERITY', 'INSTALLED', 'FIXED IN', 'TITLE'], rows, color)}`;
}

/** mamori's scan JSON: the target, the findings, and counts per severity. */
export function renderFindingsJson(
  report: FindingsReport & { readonly extra?: Record<string, unknown> },
): string {
  const counts = Object.fromEntries(
    SEVERITIES.map((s) => [s, report.findings.filter((f) => f.severity === s).length]),
  );
  return `${JSON.stringify({ schemaVersion: 1, target: report.target, counts, findings: report.findings, ...report.extra }, null, 2)}\n`;
}
