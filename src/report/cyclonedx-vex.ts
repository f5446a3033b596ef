/**
 * CycloneDX 1.6 with vulnerabilities: the image's SBOM (the same document
 * renderCycloneDx writes) plus one `vulnerabilities` entry per finding
 * (vulnerability × package), so that each entry carries its own ratings and
 * its own analysis (a suppression holds for one package, not for every
 * package the vulnerability affects), then one per rule finding:
 * - `id`, `source` (NVD for CVE-, GitHub for GHSA-, OSV otherwise) and the
 *   aliases as `references`;
 * - `ratings`: every rating of the finding, with its CVSS method and vector;
 * - `description` (the summary), `advisories` (reference URLs, each once),
 *   `published`;
 * - `affects`: the affected component's bom-ref with the installed version;
 * - `recommendation`: "Upgrade NAME to VERSION" where a fix exists;
 * - `analysis` for suppressed findings: the VEX state and justification,
 *   the reason as `detail`.
 * A finding whose package is not in the inventory gets a component of its
 * own, so every `affects` reference resolves. Rule findings (secrets,
 * misconfigurations), active and suppressed, follow the package findings as
 * entries affecting the image itself (`metadata.component`); their layout is
 * described in cyclonedx-rules.ts.
 */
import { Enums, Models } from '@cyclonedx/cyclonedx-library';
import type { FindingSeverity, Package, PackageMetadata, PackageType } from '../core/index.js';
import type { Inventory } from '../inventory/types.js';
import { MAX_VERSION, buildBom, serializeBom } from './cyclonedx.js';
import { SEVERITY, analysis, httpUrl } from './cyclonedx-analysis.js';
import { ruleVulnerabilities } from './cyclonedx-rules.js';
import type { FindingsReport } from './findings.js';
import { advisorySource, viewFindings, type FindingView } from './findings-view.js';
import { checkInventory, compareStrings, packageIdentity, viewInventory } from './model.js';
import { checkSerialNumber, resolveTimestamp, resolveToolVersion, type CycloneDxOptions } from './options.js';

const V = Models.Vulnerability;
const E = Enums.Vulnerability;

const DISTRO_RATINGS = new Set(['Debian', 'Ubuntu', 'Alpine', 'Red Hat', 'RedHat']);

function method(s: FindingSeverity): Enums.Vulnerability.RatingMethod {
  if (s.type === 'CVSS_V3')
    return s.score.startsWith('CVSS:3.1/') ? E.RatingMethod.CVSSv31 : E.RatingMethod.CVSSv3;
  if (s.type === 'CVSS_V4') return E.RatingMethod.CVSSv4;
  if (s.type === 'CVSS_V2') return E.RatingMethod.CVSSv2;
  return E.RatingMethod.Other;
}

function ratings(f: FindingView): Models.Vulnerability.Rating[] {
  const seen = new Set<string>();
  const out: Models.Vulnerability.Rating[] = [];
  for (const s of f.severities) {
    const m = method(s);
    const src = DISTRO_RATINGS.has(s.type)
      ? { name: s.type }
      : s.source.length > 0
        ? advisorySource(s.source)
        : undefined;
    const key = JSON.stringify([src?.name, s.source, s.baseScore, s.severity, m, s.score]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(
      new V.Rating({
        source: src === undefined ? undefined : new V.Source(src),
        score: s.baseScore,
        severity: s.severity === undefined ? undefined : SEVERITY[s.severity],
        method: m,
        vector: m === E.RatingMethod.Other ? undefined : s.score,
      }),
    );
  }
  if (out.length === 0 && f.severity !== 'UNKNOWN') {
    out.push(new V.Rating({ severity: SEVERITY[f.severity], method: E.RatingMethod.Other }));
  }
  return out;
}

function date(s: string | undefined): Date | undefined {
  if (s === undefined) return undefined;
  const d = new Date(s);
  const y = d.getUTCFullYear();
  return Number.isNaN(d.getTime()) || y < 1 || y > 9999 ? undefined : d;
}

function vulnerability(f: FindingView, component: Models.Component): Models.Vulnerability.Vulnerability {
  const fix = f.status === 'fixed' ? f.fixedVersions[0] : undefined;
  const v = new V.Vulnerability({
    bomRef: `mamori:vulnerability:${f.id}:${f.fingerprint}`,
    id: f.id,
    source: new V.Source(advisorySource(f.id)),
    description: f.summary,
    recommendation: fix === undefined ? undefined : `Upgrade ${f.pkg.name} to ${fix}`,
    published: date(f.published),
    analysis: f.suppression === undefined ? undefined : analysis(f.suppression),
  });
  for (const a of f.aliases) v.references.add(new V.Reference(a, new V.Source(advisorySource(a))));
  for (const r of ratings(f)) v.ratings.add(r);
  // Two spellings of one URL are one advisory (the schema wants unique entries).
  const urls = new Set<string>();
  for (const u of f.references) {
    const url = httpUrl(u);
    if (url !== undefined && !urls.has(url)) {
      urls.add(url);
      v.advisories.add(new V.Advisory(url));
    }
  }
  const version = f.pkg.version;
  const versions =
    version.length > 0 && version.length <= MAX_VERSION
      ? [new V.AffectedSingleVersion(version, { status: E.AffectStatus.Affected })]
      : [];
  v.affects.add(new V.Affect(component.bomRef, { versions: new V.AffectedVersionRepository(versions) }));
  const prop = (name: string, value: string): void => void v.properties.add(new Models.Property(name, value));
  prop('mamori:finding:status', f.status);
  for (const fv of f.fixedVersions) prop('mamori:finding:fixedVersion', fv);
  prop('mamori:finding:fingerprint', f.fingerprint);
  if (f.suppression !== undefined) prop('mamori:suppression:source', f.suppression.source);
  return v;
}

/** A package record for a finding whose package the inventory does not list. */
function packageOf(f: FindingView): Package {
  return {
    name: f.pkg.name,
    version: f.pkg.version,
    type: f.pkg.type as PackageType,
    purl: f.pkg.purl ?? '',
    licenses: [],
    locations: f.pkg.locations,
    foundBy: '',
    ...(f.pkg.layer ? { layer: f.pkg.layer } : {}),
    metadata: {} as PackageMetadata,
  };
}

/**
 * The inventory package each finding is about, by identity (same type, name,
 * version, PURL and files), else the same PURL, else the same type, name and
 * version; packages for the others are added to the inventory.
 */
function place(inv: Inventory, findings: readonly FindingView[]): { inv: Inventory; identities: string[] } {
  const known = new Set<string>();
  const byPurl = new Map<string, string>();
  const byNvt = new Map<string, string>();
  for (const v of viewInventory(inv).packages) {
    const id = packageIdentity(v.pkg) as string;
    known.add(id);
    if (v.purl !== undefined && !byPurl.has(v.purl)) byPurl.set(v.purl, id);
    const nvt = JSON.stringify([v.type, v.name, v.version]);
    if (!byNvt.has(nvt)) byNvt.set(nvt, id);
  }
  const extra: Package[] = [];
  const identities = findings.map((f) => {
    const own = packageIdentity(f.rawPackage);
    if (own !== undefined && known.has(own)) return own;
    const hit =
      (f.pkg.purl === undefined ? undefined : byPurl.get(f.pkg.purl)) ??
      byNvt.get(JSON.stringify([f.pkg.type, f.pkg.name, f.pkg.version]));
    if (hit !== undefined) return hit;
    const pkg = packageOf(f);
    const id = packageIdentity(pkg) as string;
    if (!known.has(id)) {
      known.add(id);
      extra.push(pkg);
    }
    return id;
  });
  return { inv: extra.length > 0 ? { ...inv, packages: [...inv.packages, ...extra] } : inv, identities };
}

/**
 * Renders the inventory and the findings (vulnerability and rule findings,
 * active and suppressed) as one CycloneDX 1.6 JSON document, 2-space
 * indented and newline-terminated.
 * Deterministic: the timestamp and serial number are written only when
 * given in the options.
 */
export function renderFindingsCycloneDx(
  report: FindingsReport & { readonly inventory: Inventory },
  opts: CycloneDxOptions = {},
): string {
  checkInventory(report.inventory);
  const header = {
    timestamp: opts.timestamp === undefined ? undefined : resolveTimestamp(opts),
    toolVersion: resolveToolVersion(opts),
    serialNumber: opts.serialNumber === undefined ? undefined : checkSerialNumber(opts.serialNumber),
  };
  const { findings, rules } = viewFindings(report);
  const placed = place(report.inventory, findings);
  const build = buildBom(placed.inv, header);
  const byIdentity = new Map<string, Models.Component>();
  for (const v of build.view.packages) {
    const id = packageIdentity(v.pkg) as string;
    const c = build.components.get(v.bomRef);
    if (c !== undefined && !byIdentity.has(id)) byIdentity.set(id, c);
  }
  const entries = findings
    .map((f, i) => ({ f, c: byIdentity.get(placed.identities[i] as string) }))
    .filter((e): e is { f: FindingView; c: Models.Component } => e.c !== undefined)
    .sort(
      (a, b) =>
        compareStrings(a.f.id, b.f.id) ||
        compareStrings(a.c.bomRef.value ?? '', b.c.bomRef.value ?? '') ||
        compareStrings(a.f.fingerprint, b.f.fingerprint),
    );
  for (const { f, c } of entries) build.bom.vulnerabilities.add(vulnerability(f, c));
  for (const v of ruleVulnerabilities(rules, build.subject)) build.bom.vulnerabilities.add(v);
  return serializeBom(build);
}
