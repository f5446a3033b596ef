/**
 * Finding suppression: an ignore file (`.mamoriignore.yaml`) and OpenVEX
 * statements decide which findings leave the report, each suppression
 * recorded with its reason and the rule that made it. This file holds the
 * primitives both inputs share (package URL patterns, RFC 3339 dates, bounded
 * reads) and {@link applySuppressions}, a pure function of plain values.
 */
import { Minimatch } from 'minimatch';
import {
  MamoriError,
  decodePurlPart,
  parsePurl,
  type Finding,
  type ParsedPurl,
  type RuleFinding,
} from '../core/index.js';
import type { IgnoreEntry, IgnoreRules } from './ignore.js';
import type { VexComponent, VexDocument, VexDocuments, VexProduct, VexStatement, VexStatus } from './vex.js';

// ---------------------------------------------------------------- package URLs

/** An OCI digest as compared: percent-decoding undone (some tools encode twice), lower case. */
export function normaliseDigest(s: string): string {
  let d = s;
  for (let i = 0; i < 2 && /%[0-9a-f]{2}/i.test(d); i++) d = decodePurlPart(d) ?? d;
  return d.toLowerCase();
}

/**
 * Whether `target` is one of the packages `pattern` names, by the rule
 * OpenVEX tools share: type, namespace and name equal; the version equal
 * when the pattern states one (none matches every version); every qualifier
 * and the subpath the pattern states present and equal in the target;
 * qualifiers only the target has are ignored.
 */
export function purlMatches(pattern: ParsedPurl, target: ParsedPurl): boolean {
  if (pattern.type !== target.type || pattern.name !== target.name) return false;
  if ((pattern.namespace ?? '') !== (target.namespace ?? '')) return false;
  if (pattern.version !== undefined) {
    if (target.version === undefined) return false;
    const same =
      pattern.type === 'oci'
        ? normaliseDigest(pattern.version) === normaliseDigest(target.version)
        : pattern.version === target.version;
    if (!same) return false;
  }
  for (const [k, v] of Object.entries(pattern.qualifiers)) {
    if (target.qualifiers[k] !== v) return false;
  }
  return pattern.subpath === undefined || pattern.subpath === target.subpath;
}

// ---------------------------------------------------------------- dates

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function validDate(y: number, m: number, d: number): boolean {
  const days = [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return m >= 1 && m <= 12 && d >= 1 && d <= (days[m - 1] ?? 0);
}

function utc(y: number, m: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  t.setUTCHours(h, mi, s, ms);
  return t.getTime();
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,12}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** A calendar date `YYYY-MM-DD` as the epoch milliseconds of its start (UTC); undefined when invalid. */
export function parseDateOnly(s: string): number | undefined {
  const m = DATE_ONLY.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return validDate(y, mo, d) ? utc(y, mo, d) : undefined;
}

/** An RFC 3339 date-time as epoch milliseconds; undefined when invalid. */
export function parseTimestamp(s: string): number | undefined {
  const m = DATE_TIME.exec(s);
  if (!m) return undefined;
  const n = (i: number): number => Number(m[i] ?? 0);
  const [y, mo, d, h, mi, sec] = [n(1), n(2), n(3), n(4), n(5), n(6)];
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || sec > 60) return undefined;
  let offset = 0;
  if (m[8] === undefined) {
    const [oh, om] = [n(10), n(11)];
    if (oh > 23 || om > 59) return undefined;
    offset = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  return utc(y, mo, d, h, mi, sec, ms) - offset * 60_000;
}

/** A value from the input, quoted for a message: escaped (no terminal control characters) and cut short. */
export function quote(s: string): string {
  return JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);
}

/** A parser's message, which may quote the input: control characters other than newline and tab are masked. */
export function clean(message: string): string {
  return message.replace(/\p{Cc}/gu, (c) => (c === '\n' || c === '\t' ? c : '?'));
}

/** Describes a value's type for error messages. */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Uint8Array) return 'binary data';
  if (v instanceof Set) return 'a set';
  if (v instanceof Map) return 'a mapping';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return `a ${typeof v}`;
}

/** A mapping read from YAML or JSON (not an array, set, map, date or buffer). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

// ---------------------------------------------------------------- glob

/** Options for path globs: `*`, `**`, `?`, `[…]` and `{a,b}`; dot files match; no negation or extglobs. */
const GLOB_OPTIONS = { dot: true, nocomment: true, nonegate: true, noext: true } as const;

/** Globs are over absolute paths inside the image; one without a leading `/` is taken from the root. */
export function compileGlob(pattern: string): Minimatch {
  const p = pattern.startsWith('/') || pattern.startsWith('**') ? pattern : `/${pattern}`;
  return new Minimatch(p, GLOB_OPTIONS);
}

// ---------------------------------------------------------------- the scanned image

/** What identifies the scanned image, for VEX statements whose product is an image. */
export interface ImageContext {
  /** The manifest digest (`sha256:…`). */
  readonly digest?: string;
  /** Further digests of the same image (the index digest of a multi-platform image, repo digests). */
  readonly digests?: readonly string[];
  /** The registry reference (`ghcr.io/org/app:1.2`, `debian:12`). */
  readonly name?: string;
}

interface ImageRef {
  readonly raw: string;
  /** The repository path (`library/debian`, `acme/app`). */
  readonly repository: string;
  readonly tag?: string;
}

interface ImageIds {
  readonly digests: ReadonlySet<string>;
  readonly ref?: ImageRef;
  /** Accepted `repository_url` values (with and without the image's own name, as tools differ). */
  readonly repoUrls: ReadonlySet<string>;
}

const DOCKER_HUB = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

function normaliseRepoUrl(s: string): string {
  const t = s
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/\/+$/, '');
  const slash = t.indexOf('/');
  const host = slash === -1 ? t : t.slice(0, slash);
  return DOCKER_HUB.has(host) ? `docker.io${slash === -1 ? '' : t.slice(slash)}` : t;
}

function imageIds(img: ImageContext | undefined): ImageIds {
  const digests = new Set<string>();
  for (const d of [img?.digest, ...(img?.digests ?? [])]) {
    const n = d === undefined ? '' : normaliseDigest(d.trim());
    if (n !== '') digests.add(/^[0-9a-f]{64}$/.test(n) ? `sha256:${n}` : n);
  }
  const repoUrls = new Set<string>();
  let s = img?.name?.trim().replace(/^docker:\/\//, '') ?? '';
  if (s === '' || /\s/.test(s)) return { digests, repoUrls };
  const raw = s;
  const at = s.indexOf('@');
  if (at !== -1) {
    digests.add(normaliseDigest(s.slice(at + 1)));
    s = s.slice(0, at);
  }
  let tag: string | undefined;
  const colon = s.lastIndexOf(':');
  if (colon > s.lastIndexOf('/')) {
    tag = s.slice(colon + 1);
    s = s.slice(0, colon);
  }
  const parts = s.toLowerCase().split('/');
  const first = parts[0] ?? '';
  const registry =
    parts.length > 1 && (/[.:]/.test(first) || first === 'localhost') ? (parts.shift() ?? '') : 'docker.io';
  const reg = normaliseRepoUrl(registry);
  let repository = parts.join('/');
  if (reg === 'docker.io' && parts.length === 1) {
    repoUrls.add(`docker.io/${repository}`);
    repository = `library/${repository}`;
  }
  repoUrls.add(`${reg}/${repository}`);
  const parent = repository.lastIndexOf('/');
  repoUrls.add(parent === -1 ? reg : `${reg}/${repository.slice(0, parent)}`);
  return { digests, repoUrls, ref: { raw, repository, ...(tag ? { tag } : {}) } };
}

/**
 * Whether a VEX product names the scanned image: an OCI purl with the
 * image's digest (qualifiers then only say where it was found), an OCI purl
 * without a digest whose name, `repository_url` and `tag` fit the image's
 * reference, a hash equal to a digest, or an identifier equal to the
 * reference or a digest.
 */
function isImage(c: VexComponent, img: ImageIds): boolean {
  for (const p of c.purls) {
    if (p.type !== 'oci') continue;
    if (p.version !== undefined) {
      if (img.digests.has(normaliseDigest(p.version))) return true;
      continue;
    }
    const ref = img.ref;
    if (!ref || p.name.toLowerCase() !== ref.repository.slice(ref.repository.lastIndexOf('/') + 1)) continue;
    const fits = Object.entries(p.qualifiers).every(([k, v]) =>
      k === 'repository_url' ? img.repoUrls.has(normaliseRepoUrl(v)) : k === 'tag' ? v === ref.tag : false,
    );
    if (fits) return true;
  }
  if (c.hashes.some((h) => img.digests.has(h))) return true;
  // Identifiers: the reference as given, a digest, or a bare sha256 hex (as Grype accepts).
  return c.ids.some(
    (id) =>
      id === img.ref?.raw ||
      img.digests.has(normaliseDigest(id)) ||
      img.digests.has(`sha256:${id.toLowerCase()}`),
  );
}

// ---------------------------------------------------------------- matching

interface Pkg {
  readonly finding: Finding;
  readonly purl: ParsedPurl | undefined;
}

function isPackage(c: VexComponent, pkg: Pkg): boolean {
  const target = pkg.purl;
  return target !== undefined && c.purls.some((p) => p.type !== 'oci' && purlMatches(p, target));
}

/**
 * A statement applies to a finding's package through a product that is the
 * scanned image (then every package, or those its subcomponents name) or a
 * product that is the package itself — the reading Trivy and Grype share.
 */
function statementApplies(st: VexStatement, pkg: Pkg, img: ImageIds): boolean {
  return st.products.some((p: VexProduct) =>
    isImage(p, img)
      ? p.subcomponents.length === 0 || p.subcomponents.some((s) => isPackage(s, pkg))
      : isPackage(p, pkg),
  );
}

function ignoreApplies(e: IgnoreEntry, pkg: Pkg, glob: (g: string) => Minimatch): boolean {
  const fp = pkg.finding.package;
  if (
    e.packages &&
    !e.packages.some((s) =>
      s.kind === 'name'
        ? s.name.toLowerCase() === fp.name.toLowerCase()
        : pkg.purl !== undefined && purlMatches(s.purl, pkg.purl),
    )
  ) {
    return false;
  }
  return !e.paths || e.paths.some((g) => fp.locations.some((l) => glob(g).match(l.path)));
}

function findingIds(f: Finding): string[] {
  return [...new Set([f.id, ...f.aliases].map((x) => x.toLowerCase()))];
}

function index<T>(items: Iterable<T>, keys: (t: T) => readonly string[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of items) {
    for (const k of new Set(keys(t).map((x) => x.toLowerCase()))) {
      const l = m.get(k);
      if (l) l.push(t);
      else m.set(k, [t]);
    }
  }
  return m;
}

function lookup<T>(m: Map<string, T[]>, ids: readonly string[]): T[] {
  return [...new Set(ids.flatMap((id) => m.get(id) ?? []))];
}

// ---------------------------------------------------------------- apply

export interface SuppressionContext {
  readonly ignore?: IgnoreRules;
  readonly vex?: VexDocuments;
  /** The time expiry dates are compared with. */
  readonly now: Date;
  readonly image?: ImageContext;
}

export interface SuppressedFinding {
  readonly finding: Finding;
  readonly reason: string;
  /** The rule: `ignore-file:NAME#ignore[N]` or `openvex:NAME#statements[N]`. */
  readonly source: string;
  readonly vex?: { readonly status: VexStatus; readonly justification?: string };
}

/** A kept finding the latest VEX statement calls `affected` or `under_investigation`, for the report. */
export interface VexAnnotation {
  readonly finding: Finding;
  readonly source: string;
  readonly status: 'affected' | 'under_investigation';
  readonly actionStatement?: string;
  readonly statusNotes?: string;
}

/** A secret or misconfiguration finding an ignore-file entry suppresses (by rule id, limited by `paths`). */
export interface SuppressedRuleFinding {
  readonly finding: RuleFinding;
  readonly reason: string;
  /** `ignore-file:NAME#ignore[N]`. */
  readonly source: string;
}

export interface SuppressionResult {
  readonly kept: Finding[];
  readonly suppressed: SuppressedFinding[];
  /** Rule findings (secrets, misconfigurations) kept and suppressed. */
  readonly keptRules: RuleFinding[];
  readonly suppressedRules: SuppressedRuleFinding[];
  readonly annotations: VexAnnotation[];
  /** Things the user should act on (an expired ignore entry). */
  readonly warnings: string[];
  /** Information (an ignore entry that matched nothing). */
  readonly notes: string[];
}

interface Candidate {
  readonly doc: VexDocument;
  readonly docIndex: number;
  readonly st: VexStatement;
}

/** Later wins: statement time (the document's when it has none), document time, document order, statement order. */
function later(a: Candidate, b: Candidate): boolean {
  const keys = (c: Candidate): number[] => [
    c.st.timestamp ?? c.doc.timestamp ?? -Infinity,
    c.doc.timestamp ?? -Infinity,
    c.docIndex,
    c.st.index,
  ];
  const [ka, kb] = [keys(a), keys(b)];
  for (let i = 0; i < ka.length; i++) {
    if ((ka[i] ?? 0) !== (kb[i] ?? 0)) return (ka[i] ?? 0) > (kb[i] ?? 0);
  }
  return false;
}

function vexReason(st: VexStatement): string {
  const detail = [st.justification, st.impactStatement ?? st.statusNotes].filter((x) => x !== undefined);
  return `VEX ${st.status}${detail.length > 0 ? `: ${detail.join(': ')}` : ''}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Splits findings into kept and suppressed. The ignore file goes first
 * (an expired entry suppresses nothing and yields a warning); then OpenVEX:
 * a finding is suppressed when the latest statement that applies to its
 * vulnerability and package says `not_affected` or `fixed`. Rule findings
 * (secrets, misconfigurations) are suppressed by ignore-file entries whose
 * id is the rule id, limited by the entry's `paths` (an entry limited to
 * packages names none of them); VEX speaks of vulnerabilities only.
 */
export function applySuppressions(
  findings: readonly Finding[],
  ctx: SuppressionContext,
  ruleFindings: readonly RuleFinding[] = [],
): SuppressionResult {
  const now = ctx.now.getTime();
  if (Number.isNaN(now))
    throw new MamoriError('INVALID_ARGUMENT', 'applySuppressions: now is not a valid date');
  const entries = ctx.ignore?.entries ?? [];
  const ignoreName = ctx.ignore?.name ?? '';
  const byId = index(entries, (e) => [e.id]);
  const hits = new Array<number>(entries.length).fill(0);
  const globs = new Map<string, Minimatch>();
  const glob = (g: string): Minimatch => {
    let m = globs.get(g);
    if (!m) globs.set(g, (m = compileGlob(g)));
    return m;
  };
  const docs = ctx.vex?.documents ?? [];
  const candidates = docs.flatMap((doc, docIndex) => doc.statements.map((st) => ({ doc, docIndex, st })));
  const byVuln = index(candidates, (c) => c.st.vulnerabilityIds);
  const img = imageIds(ctx.image);
  const purls = new Map<string, ParsedPurl | undefined>();

  /**
   * The first live ignore entry (file order) naming one of `ids` that applies;
   * every applying entry, expired or not, counts a hit.
   */
  const ignoreEntry = (
    ids: readonly string[],
    applies: (e: IgnoreEntry) => boolean,
  ): { reason: string; source: string } | undefined => {
    let first: IgnoreEntry | undefined;
    for (const e of lookup(byId, ids).sort((a, b) => a.index - b.index)) {
      if (!applies(e)) continue;
      hits[e.index] = (hits[e.index] ?? 0) + 1;
      if (!first && (e.expires === undefined || now < e.expires.at)) first = e;
    }
    return first && { reason: first.reason, source: `ignore-file:${ignoreName}#ignore[${first.index}]` };
  };

  const result: SuppressionResult = {
    kept: [],
    suppressed: [],
    keptRules: [],
    suppressedRules: [],
    annotations: [],
    warnings: [],
    notes: [],
  };
  for (const finding of findings) {
    let purl = purls.get(finding.package.purl);
    if (!purls.has(finding.package.purl))
      purls.set(finding.package.purl, (purl = parsePurl(finding.package.purl)));
    const pkg: Pkg = { finding, purl };
    const ids = findingIds(finding);

    const ignoredBy = ignoreEntry(ids, (e) => ignoreApplies(e, pkg, glob));
    if (ignoredBy) {
      result.suppressed.push({ finding, ...ignoredBy });
      continue;
    }

    let latest: Candidate | undefined;
    for (const c of lookup(byVuln, ids)) {
      if ((!latest || later(c, latest)) && statementApplies(c.st, pkg, img)) latest = c;
    }
    const source = latest ? `openvex:${latest.doc.name}#statements[${latest.st.index}]` : '';
    const st = latest?.st;
    if (st && (st.status === 'not_affected' || st.status === 'fixed')) {
      const vex = {
        status: st.status,
        ...(st.justification !== undefined ? { justification: st.justification } : {}),
      };
      result.suppressed.push({ finding, reason: vexReason(st), source, vex });
      continue;
    }
    result.kept.push(finding);
    if (st && (st.status === 'affected' || st.status === 'under_investigation')) {
      result.annotations.push({
        finding,
        source,
        status: st.status,
        ...(st.actionStatement !== undefined ? { actionStatement: st.actionStatement } : {}),
        ...(st.statusNotes !== undefined ? { statusNotes: st.statusNotes } : {}),
      });
    }
  }

  for (const finding of ruleFindings) {
    const ignoredBy = ignoreEntry(
      [finding.ruleId.toLowerCase()],
      (e) => !e.packages && (!e.paths || e.paths.some((g) => glob(g).match(finding.location.path))),
    );
    if (ignoredBy) {
      result.suppressedRules.push({ finding, ...ignoredBy });
    } else {
      result.keptRules.push(finding);
    }
  }

  for (const e of entries) {
    const n = hits[e.index] ?? 0;
    const what = `${ignoreName}: ignore[${e.index}] (${e.id})`;
    if (e.expires !== undefined && now >= e.expires.at) {
      const would = n > 0 ? ` (it would have suppressed ${plural(n, 'finding')})` : '';
      result.warnings.push(`${what} expired on ${e.expires.text} and no longer suppresses anything${would}`);
    } else if (n === 0) {
      result.notes.push(`${what} matched no finding`);
    }
  }
  if (img.digests.size === 0 && !img.ref) {
    for (const doc of docs) {
      const n = doc.statements.filter((st) =>
        st.products.some((p) => p.purls.some((u) => u.type === 'oci')),
      ).length;
      if (n > 0) {
        result.notes.push(
          `${doc.name}: ${plural(n, 'statement')} about an image not applied: the scan target has no image digest`,
        );
      }
    }
  }
  return result;
}
