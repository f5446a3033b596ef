/**
 * The checked view of a findings report that the SARIF and CycloneDX
 * renderers share. Findings may come back from an untrusted JSON file, so
 * every field is checked: an entry without an id or a package name (a rule
 * finding without a rule id or path) is dropped and counted, bad fields are
 * left out, long texts are cut. Each finding gets an identity (what makes it
 * the same finding on the next run) and a fingerprint derived from it;
 * duplicates (same identity) are merged, a suppressed copy winning over an
 * active one. Vulnerability and rule findings alike carry their suppression
 * (a rule finding's always reads as `not_affected`: only an ignore-file
 * entry suppresses it).
 */
import { createHash } from 'node:crypto';
import {
  SEVERITIES,
  severityRank,
  type Finding,
  type FindingSeverity,
  type LayerRef,
  type Location,
  type RuleFinding,
  type SeverityLevel,
} from '../core/index.js';
import type { FindingsReport, VexStatus } from './findings.js';
import { compareStrings, validLayer, validLocations } from './model.js';

/** Longest free text kept (summaries, reasons, rationales), in UTF-16 code units. */
export const MAX_TEXT = 16_384;
/** Longest identifier kept (vulnerability and rule ids, names, versions). */
const MAX_ID = 4096;
/** Most entries kept per list (aliases, references, fixed versions, ratings). */
const MAX_LIST = 256;

export interface Suppression {
  readonly reason: string;
  readonly source: string;
  /** `not_affected` for an ignore-file entry. */
  readonly status: VexStatus;
  readonly justification: string | undefined;
}

export interface FindingPackageView {
  readonly type: string;
  readonly name: string;
  readonly version: string;
  readonly purl: string | undefined;
  readonly locations: readonly Location[];
  readonly layer: LayerRef | undefined;
}

export interface FindingView {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly pkg: FindingPackageView;
  readonly status: Finding['status'];
  readonly fixedVersions: readonly string[];
  readonly severity: SeverityLevel;
  readonly severities: readonly FindingSeverity[];
  readonly summary: string | undefined;
  readonly references: readonly string[];
  readonly published: string | undefined;
  readonly suppression: Suppression | undefined;
  /** 32 hex digits: the same for the same finding on every run, unique in the report. */
  readonly fingerprint: string;
  /** The package record as given, to find it in the inventory. */
  readonly rawPackage: unknown;
}

export interface RuleLocationView {
  readonly path: string;
  readonly layer: LayerRef | undefined;
  readonly startLine: number | undefined;
  readonly startColumn: number | undefined;
  readonly endLine: number | undefined;
  readonly endColumn: number | undefined;
  readonly deleted: boolean;
}

export interface RuleFindingView {
  readonly kind: RuleFinding['kind'];
  readonly ruleId: string;
  readonly title: string;
  readonly severity: SeverityLevel;
  readonly rationale: string;
  readonly fix: string | undefined;
  readonly location: RuleLocationView;
  readonly evidence: string | undefined;
  readonly references: readonly string[];
  /** Set when an ignore-file entry suppresses the finding (status `not_affected`, no justification). */
  readonly suppression: Suppression | undefined;
  /** 32 hex digits: the same for the same finding on every run, unique in the report. */
  readonly fingerprint: string;
}

export interface FindingsView {
  /** Active and suppressed vulnerability findings, most severe first. */
  readonly findings: readonly FindingView[];
  /** Active and suppressed rule findings, most severe first. */
  readonly rules: readonly RuleFindingView[];
  /** Entries left out as malformed. */
  readonly dropped: number;
}

/** `s` cut to `max` UTF-16 code units (never inside a surrogate pair), with `…` when cut. */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = Math.max(0, max - 1);
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end -= 1;
  return `${s.slice(0, end)}…`;
}

function text(v: unknown, max = MAX_TEXT): string | undefined {
  return typeof v === 'string' && v.length > 0 ? cut(v, max) : undefined;
}

function strings(v: unknown, max = MAX_ID): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const s of v as unknown[]) {
    if (typeof s === 'string' && s.length > 0 && s.length <= max && !out.includes(s)) out.push(s);
    if (out.length >= MAX_LIST) break;
  }
  return out;
}

function severityOf(v: unknown): SeverityLevel {
  return (SEVERITIES as readonly unknown[]).includes(v) ? (v as SeverityLevel) : 'UNKNOWN';
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

function ratings(v: unknown): FindingSeverity[] {
  if (!Array.isArray(v)) return [];
  const out: FindingSeverity[] = [];
  for (const r of (v as unknown[]).slice(0, MAX_LIST)) {
    const o = obj(r);
    const type = text(o?.['type'], 64);
    const score = text(o?.['score'], 512);
    if (o === undefined || type === undefined || score === undefined) continue;
    const base = o['baseScore'];
    const sev = o['severity'];
    out.push({
      type,
      score,
      ...(typeof base === 'number' && Number.isFinite(base) && base >= 0 && base <= 10
        ? { baseScore: base }
        : {}),
      ...((SEVERITIES as readonly unknown[]).includes(sev) ? { severity: sev as SeverityLevel } : {}),
      source: text(o['source'], MAX_ID) ?? '',
    });
  }
  return out;
}

const STATUSES: readonly VexStatus[] = ['not_affected', 'affected', 'fixed', 'under_investigation'];

function hash32(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 32);
}

/** Gives each identity a fingerprint, unique among those already given. */
class Fingerprints {
  readonly #used = new Set<string>();
  take(identity: string): string {
    let fp = hash32(identity);
    for (let n = 2; this.#used.has(fp); n++) fp = hash32(`${identity}#${n}`);
    this.#used.add(fp);
    return fp;
  }
}

type Draft = Omit<FindingView, 'fingerprint'> & { readonly identity: string };

function findingDraft(raw: unknown, suppression: Suppression | undefined): Draft | undefined {
  const f = obj(raw);
  const p = obj(f?.['package']);
  const id = text(f?.['id'], MAX_ID);
  const name = text(p?.['name'], MAX_ID);
  if (f === undefined || p === undefined || id === undefined || name === undefined) return undefined;
  const purl = text(p['purl'], MAX_ID);
  const pkg: FindingPackageView = {
    type: text(p['type'], 64) ?? 'unknown',
    name,
    version: text(p['version'], MAX_ID) ?? '',
    purl,
    locations: validLocations(p['locations']).slice(0, MAX_LIST),
    layer: validLayer(p['layer']),
  };
  const fixedVersions = strings(f['fixedVersions']);
  const status = f['status'];
  const identity = JSON.stringify([
    'vulnerability',
    id,
    pkg.type,
    pkg.name,
    pkg.version,
    pkg.purl ?? '',
    pkg.locations.map((l) => l.path),
  ]);
  return {
    id,
    aliases: strings(f['aliases']).filter((a) => a !== id),
    pkg,
    status:
      status === 'fixed' || status === 'unfixed' || status === 'undetermined'
        ? status
        : fixedVersions.length > 0
          ? 'fixed'
          : 'unfixed',
    fixedVersions,
    severity: severityOf(f['severity']),
    severities: ratings(f['severities']),
    summary: text(f['summary']),
    references: strings(f['references'], 2048),
    published: text(f['published'], 64),
    suppression,
    rawPackage: p,
    identity,
  };
}

function suppressionOf(raw: Record<string, unknown>): Suppression {
  const vex = obj(raw['vex']);
  const status = vex?.['status'];
  return {
    reason: text(raw['reason']) ?? '',
    source: text(raw['source'], MAX_ID) ?? 'unknown',
    status: STATUSES.includes(status as VexStatus) ? (status as VexStatus) : 'not_affected',
    justification: text(vex?.['justification'], 128),
  };
}

function lineNo(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 ? v : undefined;
}

function ruleLocation(raw: unknown): RuleLocationView | undefined {
  const l = obj(raw);
  const path = text(l?.['path'], MAX_ID);
  if (l === undefined || path === undefined) return undefined;
  const startLine = lineNo(l['startLine']);
  let endLine = startLine === undefined ? undefined : lineNo(l['endLine']);
  if (endLine !== undefined && startLine !== undefined && endLine < startLine) endLine = undefined;
  return {
    path,
    layer: validLayer(l['layer']),
    startLine,
    startColumn: startLine === undefined ? undefined : lineNo(l['startColumn']),
    endLine,
    endColumn: endLine === undefined ? undefined : lineNo(l['endColumn']),
    deleted: l['deleted'] === true,
  };
}

type RuleDraft = Omit<RuleFindingView, 'fingerprint'> & { readonly identity: string };

function ruleDraft(raw: unknown, suppression: Suppression | undefined): RuleDraft | undefined {
  const r = obj(raw);
  const ruleId = text(r?.['ruleId'], MAX_ID);
  const location = ruleLocation(r?.['location']);
  if (r === undefined || ruleId === undefined || location === undefined) return undefined;
  const kind = r['kind'] === 'secret' ? 'secret' : 'misconfig';
  const evidence = text(r['evidence'], 1024);
  const l = location;
  return {
    kind,
    ruleId,
    title: text(r['title'], 1024) ?? ruleId,
    severity: severityOf(r['severity']),
    rationale: text(r['rationale']) ?? '',
    fix: text(r['fix']),
    location,
    evidence,
    references: strings(r['references'], 2048),
    suppression,
    identity: JSON.stringify([
      kind,
      ruleId,
      l.path,
      l.layer?.index ?? null,
      l.deleted,
      l.startLine ?? null,
      l.startColumn ?? null,
      l.endLine ?? null,
      l.endColumn ?? null,
      evidence ?? null,
    ]),
  };
}

/** Most severe first, then by id and package; code-point order, independent of the locale. */
export function compareFindingViews(a: FindingView, b: FindingView): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    compareStrings(a.id, b.id) ||
    compareStrings(a.pkg.type, b.pkg.type) ||
    compareStrings(a.pkg.name, b.pkg.name) ||
    compareStrings(a.pkg.version, b.pkg.version) ||
    compareStrings(a.pkg.purl ?? '', b.pkg.purl ?? '') ||
    compareStrings(a.fingerprint, b.fingerprint)
  );
}

function compareRuleViews(a: RuleFindingView, b: RuleFindingView): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(a.location.path, b.location.path) ||
    (a.location.startLine ?? 0) - (b.location.startLine ?? 0) ||
    compareStrings(a.fingerprint, b.fingerprint)
  );
}

export function viewFindings(report: FindingsReport): FindingsView {
  let dropped = 0;
  const drafts = new Map<string, Draft>();
  const suppressed: unknown = report.suppressed;
  for (const s of Array.isArray(suppressed) ? (suppressed as unknown[]) : []) {
    const o = obj(s);
    const d = o === undefined ? undefined : findingDraft(o['finding'], suppressionOf(o));
    if (d === undefined) dropped++;
    else if (!drafts.has(d.identity)) drafts.set(d.identity, d);
  }
  const active: unknown = report.findings;
  for (const f of Array.isArray(active) ? (active as unknown[]) : []) {
    const d = findingDraft(f, undefined);
    if (d === undefined) dropped++;
    else if (!drafts.has(d.identity)) drafts.set(d.identity, d);
  }
  const ruleDrafts = new Map<string, RuleDraft>();
  const suppressedRules: unknown = report.suppressedRules;
  for (const s of Array.isArray(suppressedRules) ? (suppressedRules as unknown[]) : []) {
    const o = obj(s);
    // Only an ignore file suppresses rule findings: any `vex` the entry carries is not read.
    const d =
      o === undefined
        ? undefined
        : ruleDraft(o['finding'], suppressionOf({ reason: o['reason'], source: o['source'] }));
    if (d === undefined) dropped++;
    else if (!ruleDrafts.has(d.identity)) ruleDrafts.set(d.identity, d);
  }
  const rules: unknown = report.ruleFindings;
  for (const r of Array.isArray(rules) ? (rules as unknown[]) : []) {
    const d = ruleDraft(r, undefined);
    if (d === undefined) dropped++;
    else if (!ruleDrafts.has(d.identity)) ruleDrafts.set(d.identity, d);
  }
  // Fingerprints are handed out in identity order, so collision suffixes do not depend on input order.
  const fps = new Fingerprints();
  const byIdentity = <T extends { identity: string }>(m: Map<string, T>): T[] =>
    [...m.values()].sort((a, b) => compareStrings(a.identity, b.identity));
  const findings = byIdentity(drafts).map(({ identity, ...d }): FindingView => ({
    ...d,
    fingerprint: fps.take(identity),
  }));
  const ruleViews = byIdentity(ruleDrafts).map(({ identity, ...d }): RuleFindingView => ({
    ...d,
    fingerprint: fps.take(identity),
  }));
  return {
    findings: findings.sort(compareFindingViews),
    rules: ruleViews.sort(compareRuleViews),
    dropped,
  };
}

/** The database that publishes an id: NVD for CVEs, GitHub for GHSAs, OSV for the rest. */
export function advisorySource(id: string): { readonly name: string; readonly url: string } {
  const enc = encodeURIComponent(id);
  if (/^CVE-\d{4}-\d+$/i.test(id)) return { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${enc}` };
  if (/^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/i.test(id)) {
    return { name: 'GitHub', url: `https://github.com/advisories/${enc}` };
  }
  return { name: 'OSV', url: `https://osv.dev/vulnerability/${enc}` };
}

/** GitHub's `security-severity` for a severity that has no CVSS score. */
const SEVERITY_SCORE: Readonly<Record<SeverityLevel, number>> = {
  CRITICAL: 9.5,
  HIGH: 8.0,
  MEDIUM: 5.5,
  LOW: 2.0,
  NEGLIGIBLE: 0.1,
  UNKNOWN: 0.0,
};

const CVSS_PREFERENCE = ['CVSS_V3', 'CVSS_V4', 'CVSS_V2'];

/**
 * The score behind a finding's severity: the CVSS base score of the rating
 * its severity came from (v3 preferred, then v4, then v2; the highest of
 * that version), else the severity's conventional score. A finding rated by
 * its distro (Debian "low") keeps the distro's judgement rather than NVD's
 * score, as its severity does.
 */
export function severityScore(f: Pick<FindingView, 'severity' | 'severities'>): number {
  for (const type of CVSS_PREFERENCE) {
    const scores = f.severities
      .filter((s) => s.type === type && s.severity === f.severity && s.baseScore !== undefined)
      .map((s) => s.baseScore as number);
    if (scores.length > 0) return Math.max(...scores);
  }
  return SEVERITY_SCORE[f.severity];
}

/** The score of a rule finding's severity. */
export function ruleSeverityScore(s: SeverityLevel): number {
  return SEVERITY_SCORE[s];
}
