/**
 * SARIF 2.1.0, shaped for GitHub code scanning and laid out as Trivy lays
 * out its image scans, so that dashboards reading Trivy's SARIF read
 * mamori's too:
 * - one rule per vulnerability id (`ruleId` = the id) and one result per
 *   (vulnerability, package), located at the package's file inside the image
 *   (`var/lib/dpkg/status`, `app/package-lock.json`, …) at line 1;
 * - one rule per secret/misconfiguration rule id, its results located at the
 *   finding's path and lines;
 * - rules carry `security-severity` (the CVSS base score behind the
 *   severity, else 9.5 / 8.0 / 5.5 / 2.0 for CRITICAL / HIGH / MEDIUM / LOW)
 *   and the tags `security` and the severity;
 * - results carry `partialFingerprints["mamoriFindingHash/v1"]`, a hash of
 *   what makes the finding the same on the next run (id, package, file;
 *   rule, file, layer, lines, evidence), so GitHub matches alerts across
 *   runs without reading the image's files;
 * - suppressed findings, vulnerabilities and rule findings alike, are
 *   results with an `external` suppression (its source, reason and VEX
 *   status; a suppressed rule finding reads `not_affected`), or are left out
 *   with their rules (option `suppressed: 'omit'`).
 * Output is sorted and carries no time unless one is given.
 */
import type { Log, ReportingDescriptor, Result, Run } from 'sarif';
import { MamoriError, type SeverityLevel } from '../core/index.js';
import type { Inventory, InventoryLayer } from '../inventory/types.js';
import { scalar } from './details.js';
import type { FindingsReport } from './findings.js';
import {
  advisorySource,
  ruleSeverityScore,
  severityScore,
  viewFindings,
  type FindingView,
  type RuleFindingView,
  type Suppression,
} from './findings-view.js';
import { isDigest } from './image.js';
import { compareStrings } from './model.js';
import { resolveTimestamp, resolveToolVersion, type SarifOptions } from './options.js';
import {
  MAX_DESCRIPTION,
  artifactUri,
  plain,
  ruleHelp,
  ruleMessage,
  vulnHelp,
  vulnMessage,
} from './sarif-text.js';
import { safeText } from './text.js';
import { mamoriHomepage } from './version.js';

const SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const FINGERPRINT_KEY = 'mamoriFindingHash/v1';

type Level = 'error' | 'warning' | 'note';

function level(s: SeverityLevel): Level {
  return s === 'CRITICAL' || s === 'HIGH' ? 'error' : s === 'MEDIUM' ? 'warning' : 'note';
}

/** An absolute http(s) URL in the ASCII form the schema's `uri` format wants, or undefined. */
function httpUrl(v: string | undefined): string | undefined {
  if (v === undefined || v.length > 2048) return undefined;
  try {
    const u = new URL(v);
    return (u.protocol === 'https:' || u.protocol === 'http:') && /^[!-~]+$/.test(u.href)
      ? u.href
      : undefined;
  } catch {
    return undefined;
  }
}

function checkCategory(c: unknown): string | undefined {
  if (c === undefined) return undefined;
  if (typeof c !== 'string' || c.length === 0 || c.length > 256 || /[\p{Cc}\p{Cf}]/u.test(c)) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      'SARIF category must be a printable string of 1 to 256 characters',
    );
  }
  return c;
}

function checkInformationUri(v: unknown): string | undefined {
  if (v === undefined) return httpUrl(mamoriHomepage());
  const u = typeof v === 'string' ? httpUrl(v) : undefined;
  if (u === undefined)
    throw new MamoriError('INVALID_ARGUMENT', 'informationUri must be an absolute http(s) URL');
  return u;
}

function descriptor(
  id: string,
  short: string,
  full: string,
  help: { text: string; markdown: string },
  helpUri: string | undefined,
  tag: string,
  severity: SeverityLevel,
  score: number,
): ReportingDescriptor {
  return {
    id,
    shortDescription: { text: plain(short, MAX_DESCRIPTION) },
    fullDescription: { text: plain(full, MAX_DESCRIPTION) },
    ...(helpUri !== undefined ? { helpUri } : {}),
    help,
    defaultConfiguration: { level: level(severity) },
    properties: {
      tags: [tag, 'security', severity],
      precision: 'very-high',
      'security-severity': score.toFixed(1),
    },
  };
}

function vulnRule(id: string, group: readonly FindingView[]): ReportingDescriptor {
  // Groups are in view order, most severe first: the rule takes the worst severity and the highest score.
  const first = group[0] as FindingView;
  const summary = group.find((f) => f.summary !== undefined)?.summary ?? id;
  const url = advisorySource(id).url;
  const score = Math.max(...group.map(severityScore));
  return descriptor(
    safeText(id),
    summary,
    summary,
    vulnHelp(group, url),
    url,
    'vulnerability',
    first.severity,
    score,
  );
}

function ruleRule(r: RuleFindingView): ReportingDescriptor {
  return descriptor(
    safeText(r.ruleId),
    r.title,
    r.rationale || r.title,
    ruleHelp(r),
    httpUrl(r.references[0]),
    r.kind === 'secret' ? 'secret' : 'misconfiguration',
    r.severity,
    ruleSeverityScore(r.severity),
  );
}

function suppressions(f: { readonly suppression: Suppression | undefined }): Pick<Result, 'suppressions'> {
  const s = f.suppression;
  if (s === undefined) return {};
  return {
    suppressions: [
      {
        kind: 'external',
        status: 'accepted',
        ...(s.reason ? { justification: plain(s.reason) } : {}),
        properties: {
          source: plain(s.source, 1024),
          vexStatus: s.status,
          ...(s.justification !== undefined ? { vexJustification: plain(s.justification, 128) } : {}),
        },
      },
    ],
  };
}

function vulnResult(
  f: FindingView,
  ruleIndex: number,
  fallbackUri: string,
  layers: readonly InventoryLayer[],
): Result {
  const path = f.pkg.locations[0]?.path;
  const url = advisorySource(f.id).url;
  return {
    ruleId: safeText(f.id),
    ruleIndex,
    level: level(f.severity),
    message: { text: vulnMessage(f, url, layers) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: path === undefined ? fallbackUri : artifactUri(path) },
          region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
        },
        message: {
          text: `${plain(path ?? fallbackUri, 1024)}: ${plain(f.pkg.name, 256)}@${plain(f.pkg.version, 256)}`,
        },
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    ...suppressions(f),
    properties: {
      ...(f.pkg.purl !== undefined ? { purl: f.pkg.purl } : {}),
      installedVersion: f.pkg.version,
      fixedVersions: [...f.fixedVersions],
      status: f.status,
      ...(f.aliases.length > 0 ? { aliases: [...f.aliases] } : {}),
      ...(f.pkg.layer ? { layerIndex: f.pkg.layer.index, layerDiffID: f.pkg.layer.diffId } : {}),
    },
  };
}

function ruleResult(r: RuleFindingView, ruleIndex: number, layers: readonly InventoryLayer[]): Result {
  const l = r.location;
  return {
    ruleId: safeText(r.ruleId),
    ruleIndex,
    level: level(r.severity),
    message: { text: ruleMessage(r, layers) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: artifactUri(l.path) },
          region: {
            startLine: l.startLine ?? 1,
            ...(l.startColumn !== undefined ? { startColumn: l.startColumn } : {}),
            ...(l.endLine !== undefined ? { endLine: l.endLine } : {}),
            ...(l.endColumn !== undefined ? { endColumn: l.endColumn } : {}),
          },
        },
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: r.fingerprint },
    ...suppressions(r),
    properties: {
      kind: r.kind,
      ...(l.layer ? { layerIndex: l.layer.index, layerDiffID: l.layer.diffId } : {}),
      ...(l.deleted ? { deleted: true } : {}),
    },
  };
}

function runProperties(
  report: FindingsReport,
  inv: Inventory | undefined,
  dropped: number,
): Record<string, unknown> {
  const s = inv?.source;
  const props: Record<string, unknown> = { target: typeof report.target === 'string' ? report.target : '' };
  const add = (k: string, v: unknown): void => {
    const val = scalar(v);
    if (val !== undefined) props[k] = val;
  };
  add('imageName', s?.name);
  add('tag', s?.tag);
  if (isDigest(s?.manifestDigest)) add('manifestDigest', s?.manifestDigest);
  if (isDigest(s?.configDigest)) add('configDigest', s?.configDigest);
  add('distro', [inv?.distro?.id, inv?.distro?.versionId].filter((x) => typeof x === 'string').join(' '));
  if (dropped > 0) props['droppedFindings'] = dropped;
  return props;
}

/**
 * Renders vulnerability and rule findings as a SARIF 2.1.0 log (one run),
 * 2-space indented and newline-terminated. The inventory, when given, names
 * the image in the run's properties and the layers in messages.
 */
export function renderFindingsSarif(
  report: FindingsReport & { readonly inventory?: Inventory },
  opts: SarifOptions = {},
): string {
  const toolVersion = resolveToolVersion(opts);
  const informationUri = checkInformationUri(opts.informationUri);
  const category = checkCategory(opts.category);
  const timestamp = opts.timestamp === undefined ? undefined : resolveTimestamp(opts);
  const inv = report.inventory;
  const layers: readonly InventoryLayer[] = Array.isArray(inv?.source?.layers) ? inv.source.layers : [];
  const view = viewFindings(report);
  const omit = opts.suppressed === 'omit';
  const findings = omit ? view.findings.filter((f) => f.suppression === undefined) : view.findings;
  const ruleFindings = omit ? view.rules.filter((r) => r.suppression === undefined) : view.rules;

  // Rules: one per vulnerability id, then one per rule id not already taken, sorted by id. Ids are
  // display-safe (control characters escaped) in rules and results alike.
  const groups = new Map<string, FindingView[]>();
  for (const f of findings) {
    const g = groups.get(safeText(f.id));
    if (g === undefined) groups.set(safeText(f.id), [f]);
    else g.push(f);
  }
  const rules = new Map<string, ReportingDescriptor>();
  for (const [id, group] of groups) rules.set(id, vulnRule((group[0] as FindingView).id, group));
  for (const r of ruleFindings)
    if (!rules.has(safeText(r.ruleId))) rules.set(safeText(r.ruleId), ruleRule(r));
  const ruleList = [...rules.values()].sort((a, b) => compareStrings(a.id, b.id));
  const index = new Map(ruleList.map((r, i) => [r.id, i]));

  const fallbackUri = artifactUri(scalar(inv?.source?.name) ?? String(report.target ?? 'image'));
  const results: Result[] = [
    ...findings.map((f) => vulnResult(f, index.get(safeText(f.id)) ?? -1, fallbackUri, layers)),
    ...ruleFindings.map((r) => ruleResult(r, index.get(safeText(r.ruleId)) ?? -1, layers)),
  ];

  const run: Run = {
    tool: {
      driver: {
        name: 'mamori',
        fullName: 'mamori container security scanner',
        version: toolVersion,
        ...(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$/.test(toolVersion)
          ? { semanticVersion: toolVersion }
          : {}),
        ...(informationUri !== undefined ? { informationUri } : {}),
        rules: ruleList,
      },
    },
    ...(timestamp !== undefined
      ? { invocations: [{ executionSuccessful: true, endTimeUtc: timestamp.toISOString() }] }
      : {}),
    ...(category !== undefined ? { automationDetails: { id: `${category}/` } } : {}),
    results,
    columnKind: 'utf16CodeUnits',
    properties: runProperties(report, inv, view.dropped),
  };
  const log: Log = { $schema: SCHEMA, version: '2.1.0', runs: [run] };
  return `${JSON.stringify(log, null, 2)}\n`;
}
