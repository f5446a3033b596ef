/**
 * Scan results as tables for people: the active vulnerabilities, then the
 * active rule findings (secrets, misconfigurations), under one summary line
 * that also counts what was suppressed (vulnerability and rule findings
 * together). Cells are terminal-safe (control and bidi characters escaped).
 */
import { SEVERITIES } from '../core/index.js';
import { countSeverities, type FindingsReport, type SeverityCounts } from './findings.js';
import { viewFindings, type FindingView, type RuleLocationView } from './findings-view.js';
import { formatColumns } from './table.js';
import { renderSurfaceText, type SurfaceSummary } from './surface.js';
import { safeText } from './text.js';

const CELL = 60;

function fixCell(f: FindingView): string {
  if (f.status === 'fixed' && f.fixedVersions.length > 0) return f.fixedVersions.join(', ');
  return f.status === 'undetermined' ? '(undetermined)' : '(no fix yet)';
}

function countText(counts: SeverityCounts): string {
  const parts = [...SEVERITIES]
    .reverse()
    .filter((s) => counts[s] > 0)
    .map((s) => `${s}: ${counts[s]}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** `path:line, layer N (deleted)`. */
export function ruleLocationText(l: RuleLocationView): string {
  let s = l.startLine === undefined ? l.path : `${l.path}:${l.startLine}`;
  if (l.layer !== undefined) s += `, layer ${l.layer.index}`;
  if (l.deleted) s += ' (deleted)';
  return s;
}

function cell(s: string | undefined, max = CELL): string {
  const t = [...safeText(s ?? '')];
  return t.length > max ? `${t.slice(0, max - 1).join('')}…` : t.join('');
}

/** Long locations keep their end (the file name and line). */
function tailCell(s: string, max = 2 * CELL): string {
  const t = [...safeText(s)];
  return t.length > max ? `…${t.slice(t.length - max + 1).join('')}` : t.join('');
}

/**
 * The scan as tables, most severe first: a summary line with counts per
 * severity and the number suppressed (vulnerability and rule findings), the
 * active vulnerabilities, then the active rule findings. Newline-terminated.
 */
export function renderFindingsTable(
  report: FindingsReport,
  opts: {
    color?: boolean;
    /** A report of rule findings only (a Dockerfile lint): no vulnerability count. */ rulesOnly?: boolean;
    /** The image's attack surface, summarised after the tables. */
    surface?: SurfaceSummary;
  } = {},
): string {
  const color = opts.color === true;
  const view = viewFindings(report);
  const vulns = view.findings.filter((f) => f.suppression === undefined);
  const rules = view.rules.filter((r) => r.suppression === undefined);
  const suppressed = view.findings.length - vulns.length + view.rules.length - rules.length;
  const parts: string[] = [];
  const rulesOnly = opts.rulesOnly === true;
  if (!rulesOnly) {
    parts.push(
      `${vulns.length} vulnerabilit${vulns.length === 1 ? 'y' : 'ies'}${countText(countSeverities(vulns))}`,
    );
  }
  if (rules.length > 0 || rulesOnly) {
    parts.push(
      `${rules.length} rule finding${rules.length === 1 ? '' : 's'}${countText(countSeverities(rules))}`,
    );
  }
  if (suppressed > 0) parts.push(`${suppressed} suppressed`);
  const summary = `${safeText(String(report.target))}: ${parts.join(', ')}`;
  const sections = [`${summary}\n`];
  if (vulns.length > 0) {
    const rows = vulns.map((f) => [
      cell(f.pkg.name),
      cell(f.id),
      f.severity,
      cell(f.pkg.version),
      cell(fixCell(f)),
      cell(f.summary),
    ]);
    sections.push(
      formatColumns(['PACKAGE', 'VULNERABILITY', 'SEVERITY', 'INSTALLED', 'FIXED IN', 'TITLE'], rows, color),
    );
  }
  if (rules.length > 0) {
    const rows = rules.map((r) => [
      cell(r.ruleId),
      r.severity,
      tailCell(ruleLocationText(r.location)),
      cell(r.title),
      cell(r.evidence),
    ]);
    sections.push(formatColumns(['RULE', 'SEVERITY', 'LOCATION', 'TITLE', 'EVIDENCE'], rows, color));
  }
  const surface = renderSurfaceText(opts.surface);
  if (surface !== '') sections.push(surface);
  return sections.join('\n');
}
