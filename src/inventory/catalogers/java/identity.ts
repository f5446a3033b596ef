/**
 * Which packages one archive level holds, following Syft's java archive
 * cataloger: the archive itself (named by its matching pom.properties, else
 * by its manifest and file name) plus every pom.properties that is not the
 * archive's own. Pure: evidence in, packages out.
 */
import { purl } from '../../../core/index.js';
import { parseArchiveFileName } from './filename.js';
import type { ArchiveFileName } from './filename.js';
import { manifestRecord } from './manifest.js';
import type { Manifest } from './manifest.js';
import type { JavaArchivePackage } from './types.js';

export interface PomProperties {
  /** Entry name of the pom.properties file. */
  readonly path: string;
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
}

export interface ArchiveEvidence {
  readonly virtualPath: string;
  /** The archive's file name or entry name, for the naming conventions of file names. */
  readonly fileName: string;
  readonly manifest?: Manifest;
  /** Valid pom.properties (artifactId and version set), one per directory, sorted by path. */
  readonly poms: readonly PomProperties[];
  /** Directories holding a pom.xml. */
  readonly pomXmlDirs: ReadonlySet<string>;
}

interface Draft {
  name: string;
  version: string;
  readonly virtualPath: string;
  readonly manifest?: Manifest;
  pom?: PomProperties;
}

/** Manifest fields that may carry a Maven group id, by priority tier (Syft's cpegenerate lists). */
const PRIMARY_GROUP_FIELDS = [
  'Group-Id',
  'Bundle-SymbolicName',
  'Extension-Name',
  'Specification-Vendor',
  'Implementation-Vendor',
  'Implementation-Vendor-Id',
  'Implementation-Title',
  'Bundle-Activator',
];
const SECONDARY_GROUP_FIELDS = ['Automatic-Module-Name', 'Main-Class', 'Package'];
const DOMAINS = ['com', 'org', 'net', 'io', 'be'];

export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** A group id without OSGi directives (`org.foo;singleton:=true`). */
function cleanGroupId(value: string): string {
  return (value.split(';')[0] ?? '').trim();
}

function manifestGroupId(m: Manifest): string {
  for (const fields of [PRIMARY_GROUP_FIELDS, SECONDARY_GROUP_FIELDS]) {
    const ids = fields
      .map((f) => m.get(f))
      .filter((v): v is string => v !== undefined && DOMAINS.some((d) => v.startsWith(d)))
      .map((v) => (cleanGroupId(v).split('#')[0] ?? '').trim())
      .sort();
    if (ids[0] !== undefined) return ids[0];
  }
  return '';
}

function pomGroupId(p: PomProperties): string {
  if (p.groupId !== '') return cleanGroupId(p.groupId);
  // Publishers sometimes put the group id in the artifactId field.
  return p.artifactId.includes('.') ? cleanGroupId(p.artifactId) : '';
}

/** pom.properties first, then manifest hints. */
function groupIdOf(d: Draft): string {
  const fromPom = d.pom ? pomGroupId(d.pom) : '';
  if (fromPom !== '') return fromPom;
  return d.manifest ? manifestGroupId(d.manifest) : '';
}

/** The Maven Bundle Plugin derives Bundle-SymbolicName as `${groupId}.${artifactId}`. */
function bundlePluginName(m: Manifest): string {
  if (!(m.get('Created-By') ?? '').includes('Apache Maven Bundle Plugin')) return '';
  const symbolic = cleanGroupId(m.get('Bundle-SymbolicName') ?? '');
  if (symbolic === '' || m.get('Implementation-Vendor-Id') === symbolic) return '';
  return symbolic.slice(symbolic.lastIndexOf('.') + 1);
}

const JAVA_IDENTIFIER_START = /^[\p{L}\p{Nl}\p{Sc}\p{Pc}]/u;

/** `org.example.thing` in a file name is most likely group + artifact: keep the artifact. */
function nameFromFileName(f: ArchiveFileName): string {
  if (!f.name.includes('.') || f.name.startsWith('org.eclipse.')) return f.name;
  const fields = f.name.split('.');
  return fields.every((x) => JAVA_IDENTIFIER_START.test(x)) ? (fields[fields.length - 1] ?? f.name) : f.name;
}

function selectName(m: Manifest | undefined, f: ArchiveFileName): string {
  const fromPlugin = m ? bundlePluginName(m) : '';
  if (fromPlugin !== '') return fromPlugin;
  const fromFile = nameFromFileName(f);
  if (fromFile !== '' || !m) return fromFile;
  for (const field of ['Name', 'Bundle-Name', 'Short-Name', 'Extension-Name', 'Implementation-Title']) {
    const v = m.get(field);
    if (v !== undefined) return v;
  }
  return '';
}

function selectVersion(m: Manifest | undefined, f: ArchiveFileName): string {
  if (f.version !== '') return f.version;
  for (const field of [
    'Implementation-Version',
    'Specification-Version',
    'Plugin-Version',
    'Bundle-Version',
  ]) {
    const v = m?.get(field);
    if (v !== undefined) return v;
  }
  return '';
}

function artifactMatchesFileName(
  artifactId: string,
  fileName: string,
  artifacts: ReadonlySet<string>,
): boolean {
  if (artifactId === '' || fileName === '') return false;
  if (artifacts.has(fileName)) return artifactId === fileName;
  return artifactId.startsWith(fileName) || fileName.endsWith(artifactId);
}

/** The pom.properties describing the archive itself: the last match by path, or the first with a pom.xml. */
function ownPom(ev: ArchiveEvidence, fileName: string): PomProperties | undefined {
  const artifacts = new Set(ev.poms.map((p) => p.artifactId));
  let chosen: PomProperties | undefined;
  for (const p of ev.poms) {
    if (!artifactMatchesFileName(p.artifactId, fileName, artifacts)) continue;
    chosen = p;
    if (ev.pomXmlDirs.has(dirOf(p.path))) break;
  }
  return chosen;
}

function key(d: Draft): string {
  return `${groupIdOf(d)}|${d.name}|${d.version}`;
}

function sameIdentity(p: Draft, parent: Draft): boolean {
  if (key(p) === key(parent)) return true;
  return p.virtualPath === parent.virtualPath || (p.pom !== undefined && parent.name === p.pom.artifactId);
}

// Bounds on what a package record may carry: hostile manifests can hold anything.
const MAX_NAME = 512;
const MAX_VERSION = 256;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function sane(s: string, max: number): boolean {
  return s !== '' && s.length <= max && !CONTROL.test(s);
}

function toPackage(d: Draft): JavaArchivePackage | undefined {
  const groupId = groupIdOf(d);
  if (!sane(d.name, MAX_NAME) || !sane(d.version, MAX_VERSION)) return undefined;
  if (groupId !== '' && !sane(groupId, MAX_NAME)) return undefined;
  const licenses = new Set<string>();
  for (const field of ['Bundle-License', 'Plugin-License-Name']) {
    const v = d.manifest?.get(field);
    if (v !== undefined && sane(v, 1024)) licenses.add(v);
  }
  const record = d.manifest ? manifestRecord(d.manifest) : undefined;
  return {
    name: d.name,
    version: d.version,
    // Syft names the PURL namespace after the package when no group id is known.
    purl: purl({
      type: 'maven',
      namespace: groupId !== '' ? groupId : d.name,
      name: d.name,
      version: d.version,
    }),
    ...(groupId !== '' ? { groupId } : {}),
    ...(d.pom ? { artifactId: d.pom.artifactId } : {}),
    virtualPath: d.virtualPath,
    ...(record ? { manifest: record } : {}),
    licenses: [...licenses],
  };
}

/** The packages of one archive level (nested archives excluded). */
export function identifyPackages(ev: ArchiveEvidence): JavaArchivePackage[] {
  const m = ev.manifest;
  // Instrumentation modules (New Relic) carry Weave-Classes and the identity of what they instrument.
  if (m?.entries.some(([name]) => name.toLowerCase() === 'weave-classes')) return [];
  const file = parseArchiveFileName(ev.fileName);
  const own = ownPom(ev, file.name);
  let main: Draft | undefined;
  if (m || own) {
    main = {
      name: own?.artifactId || selectName(m, file),
      version: own?.version || selectVersion(m, file),
      virtualPath: ev.virtualPath,
      ...(m ? { manifest: m } : {}),
      ...(own ? { pom: own } : {}),
    };
  }
  const others: Draft[] = [];
  for (const pom of ev.poms) {
    if (pom === own) continue;
    const parentKey = main ? `${groupIdOf(main)}:${main.name}:${main.version}` : '';
    const pomKey = `${pom.groupId}:${pom.artifactId}:${pom.version}`;
    const suffix = parentKey === pomKey ? '' : `:${pom.groupId}:${pom.artifactId}`;
    const draft: Draft = {
      name: pom.artifactId,
      version: pom.version,
      virtualPath: ev.virtualPath + suffix,
      pom,
    };
    if (main && sameIdentity(draft, main)) {
      if (!main.pom) {
        // The archive's own pom.properties after all: better name and version than the manifest, and the group id.
        main.name = draft.name;
        main.version = draft.version;
        main.pom = pom;
        continue;
      }
      if (key(draft) === key(main)) continue;
    }
    others.push(draft);
  }
  const out: JavaArchivePackage[] = [];
  for (const d of main ? [main, ...others] : others) {
    const p = toPackage(d);
    if (p) out.push(p);
  }
  return out;
}
