/**
 * A package's identity as mamori's catalogers would record it: name, version
 * and the metadata the matcher reads (dpkg source and source version, apk
 * origin, rpm epoch/version/release and SOURCERPM, Maven coordinates, Go
 * toolchain). Each field comes from the most specific evidence the component
 * carries: mamori's own properties, then Syft's, then Trivy's, then the
 * purl's qualifiers (`upstream`, `epoch`, `arch`), then the defaults the
 * catalogers use (a source package named and versioned like its binary).
 */
import type { PackageMetadata, PackageType } from '../core/index.js';
import { clean, MAX_NAME, MAX_VERSION } from './bounds.js';
import { kindFor } from './kinds.js';
import { TRIVY, type RawComponent } from './model.js';
import type { Purl } from './purls.js';

export interface Evidence {
  readonly raw: RawComponent;
  readonly type: PackageType;
  readonly purl: Purl | undefined;
}

export interface Identity {
  readonly name: string;
  readonly version: string;
  readonly metadata: PackageMetadata;
}

function prop(raw: RawComponent, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = raw.props.get(n)?.[0];
    if (v !== undefined) return v;
  }
  return undefined;
}

function first(...values: (string | undefined)[]): string | undefined {
  return values.find((v) => v !== undefined && v !== '');
}

const NAMESPACE_IN_NAME: ReadonlySet<PackageType> = new Set<PackageType>([
  'npm',
  'go-module',
  'php-composer',
]);

function fold(type: PackageType, s: string): string {
  return type === 'python' ? s.toLowerCase().replace(/[-_.]+/g, '-') : s.toLowerCase();
}

/**
 * The package's name as its ecosystem spells it: the component's own name
 * when it agrees with the purl (so `JSONStream` and `PyYAML` keep their case,
 * which the purl folds away), else the name the purl gives (`@scope/name`,
 * a Go module path, `vendor/name`, a Maven artifact id).
 */
export function packageName(e: Evidence): string | undefined {
  const { raw, purl, type } = e;
  if (purl === undefined) return raw.name;
  const derived = clean(
    purl.namespace && NAMESPACE_IN_NAME.has(type) ? `${purl.namespace}/${purl.name}` : purl.name,
    MAX_NAME,
  );
  if (derived === undefined) return undefined;
  const candidates = [raw.name, raw.group && raw.name ? `${raw.group}/${raw.name}` : undefined];
  for (const c of candidates) {
    if (c !== undefined && fold(type, c) === fold(type, derived)) return c;
  }
  return derived;
}

/** Trivy's source package: `SrcName` with `[SrcEpoch:]SrcVersion[-SrcRelease]`, or SPDX `built package from: NAME VERSION`. */
function trivySource(raw: RawComponent): { name?: string; version?: string } {
  const name = prop(raw, `${TRIVY}SrcName`);
  const version = prop(raw, `${TRIVY}SrcVersion`);
  if (name !== undefined) {
    if (version === undefined) return { name };
    const release = prop(raw, `${TRIVY}SrcRelease`);
    const epoch = prop(raw, `${TRIVY}SrcEpoch`);
    const full = `${epoch && epoch !== '0' ? `${epoch}:` : ''}${version}${release ? `-${release}` : ''}`;
    return { name, version: full };
  }
  const m = /^built package from: (\S+)(?: (\S+))?$/.exec(raw.sourceInfo ?? '');
  return m ? { name: m[1] as string, ...(m[2] ? { version: m[2] } : {}) } : {};
}

/** Syft's and mamori's `upstream` qualifier: `SOURCE` or `SOURCE@VERSION`. */
function upstream(purl: Purl | undefined): { name?: string; version?: string } {
  const u = purl?.qualifiers.get('upstream');
  if (u === undefined) return {};
  const at = u.indexOf('@');
  return at === -1 ? { name: u } : { name: u.slice(0, at), version: u.slice(at + 1) };
}

function baseVersion(e: Evidence): string {
  return e.raw.version ?? clean(e.purl?.version, MAX_VERSION) ?? '';
}

/**
 * An OS package's version: the purl's first (Trivy's own reader trusts the
 * purl; its `version`/`versionInfo` has varied between releases), the epoch
 * added from the `epoch` qualifier where the version lacks it (Trivy).
 */
function osVersion(e: Evidence): string {
  const v = clean(e.purl?.version, MAX_VERSION) ?? e.raw.version ?? '';
  const epoch = e.purl?.qualifiers.get('epoch');
  return epoch !== undefined && /^\d{1,9}$/.test(epoch) && v !== '' && !/^\d+:/.test(v) ? `${epoch}:${v}` : v;
}

function arch(e: Evidence): { architecture?: string } {
  const a = clean(first(prop(e.raw, 'mamori:metadata:architecture'), e.purl?.qualifiers.get('arch')), 64);
  return a !== undefined ? { architecture: a } : {};
}

function dpkg(e: Evidence, name: string): Identity {
  const version = osVersion(e);
  const trivy = trivySource(e.raw);
  const up = upstream(e.purl);
  const source = clean(
    first(prop(e.raw, 'mamori:metadata:source', 'syft:metadata:source'), trivy.name, up.name),
    MAX_NAME,
  );
  const sourceVersion = clean(
    first(
      prop(e.raw, 'mamori:metadata:sourceVersion', 'syft:metadata:sourceVersion'),
      trivy.version,
      up.version,
    ),
    MAX_VERSION,
  );
  return {
    name,
    version,
    metadata: {
      kind: 'dpkg',
      source: source ?? name,
      sourceVersion: sourceVersion ?? version,
      ...arch(e),
      files: [],
    },
  };
}

function apk(e: Evidence, name: string): Identity {
  const origin = clean(
    first(
      prop(e.raw, 'mamori:metadata:origin', 'syft:metadata:originPackage'),
      trivySource(e.raw).name,
      upstream(e.purl).name,
    ),
    MAX_NAME,
  );
  return {
    name,
    version: osVersion(e),
    metadata: { kind: 'apk', origin: origin ?? name, ...arch(e), files: [] },
  };
}

function rpm(e: Evidence, name: string): Identity {
  const full = osVersion(e);
  const m = /^(\d{1,9}):(.*)$/.exec(full);
  const evr = m ? (m[2] as string) : full;
  const epochText = first(
    prop(e.raw, 'mamori:metadata:epoch', 'syft:metadata:epoch'),
    e.purl?.qualifiers.get('epoch'),
    m?.[1],
  );
  const epoch = epochText !== undefined && /^\d{1,9}$/.test(epochText) ? Number(epochText) : undefined;
  const declared = prop(e.raw, 'mamori:metadata:release', 'syft:metadata:release');
  let upstreamVersion: string;
  let release: string;
  if (declared !== undefined && evr.endsWith(`-${declared}`)) {
    upstreamVersion = evr.slice(0, -declared.length - 1);
    release = declared;
  } else {
    const dash = evr.lastIndexOf('-');
    upstreamVersion = dash === -1 ? evr : evr.slice(0, dash);
    release = dash === -1 ? '' : evr.slice(dash + 1);
  }
  const trivy = trivySource(e.raw);
  let sourceRpm = first(prop(e.raw, 'mamori:metadata:sourceRpm', 'syft:metadata:sourceRpm'));
  if (sourceRpm === undefined && trivy.name !== undefined && trivy.version !== undefined) {
    // Trivy splits SOURCERPM into name, version and release (the version formatted without the epoch here).
    const v = trivy.version.replace(/^\d+:/, '');
    sourceRpm = `${trivy.name}-${v}.src.rpm`;
  }
  const up = e.purl?.qualifiers.get('upstream');
  if (sourceRpm === undefined && up !== undefined) {
    sourceRpm = up.endsWith('.rpm') ? up : `${up}-${upstreamVersion}-${release}.src.rpm`;
  }
  const vendor = clean(prop(e.raw, 'mamori:metadata:vendor'), 256);
  const modularityLabel = clean(
    first(
      prop(
        e.raw,
        'mamori:metadata:modularityLabel',
        'syft:metadata:modularityLabel',
        `${TRIVY}Modularitylabel`,
      ),
    ),
    256,
  );
  const src = clean(sourceRpm, MAX_NAME);
  return {
    name,
    version: release !== '' ? `${epoch !== undefined ? `${epoch}:` : ''}${upstreamVersion}-${release}` : full,
    metadata: {
      kind: 'rpm',
      ...(epoch !== undefined ? { epoch } : {}),
      upstreamVersion,
      release,
      ...arch(e),
      ...(src !== undefined ? { sourceRpm: src } : {}),
      ...(vendor !== undefined ? { vendor } : {}),
      ...(modularityLabel !== undefined ? { modularityLabel } : {}),
      files: [],
    },
  };
}

function java(e: Evidence, name: string, location: string | undefined): Identity {
  const fromMamori = e.raw.props.has('mamori:package:type');
  const groupId = clean(
    fromMamori ? prop(e.raw, 'mamori:metadata:groupId') : first(e.purl?.namespace, e.raw.group),
    MAX_NAME,
  );
  const artifactId = clean(
    fromMamori ? prop(e.raw, 'mamori:metadata:artifactId') : first(e.purl?.name, name),
    MAX_NAME,
  );
  const virtualPath = clean(
    first(prop(e.raw, 'mamori:metadata:virtualPath', 'syft:metadata:virtualPath'), location),
  );
  return {
    name,
    version: baseVersion(e),
    metadata: {
      kind: 'java-archive',
      ...(groupId !== undefined ? { groupId } : {}),
      ...(artifactId !== undefined ? { artifactId } : {}),
      virtualPath: virtualPath ?? '',
    },
  };
}

function go(e: Evidence, name: string): Identity {
  const goVersion = clean(prop(e.raw, 'mamori:metadata:goVersion', 'syft:metadata:goCompiledVersion'), 128);
  const mainModule = clean(prop(e.raw, 'mamori:metadata:mainModule', 'syft:metadata:mainModule'), MAX_NAME);
  const sum = clean(prop(e.raw, 'mamori:metadata:sum', 'syft:metadata:h1Digest'), 256);
  return {
    name,
    version: baseVersion(e),
    metadata: {
      kind: 'go-buildinfo',
      goVersion: goVersion ?? '',
      mainModule: mainModule ?? '',
      ...(sum !== undefined ? { sum } : {}),
    },
  };
}

/** The identity of a package of `e.type` named `name`; `location` is its primary location, if any. */
export function identify(e: Evidence, name: string, location: string | undefined): Identity {
  switch (e.type) {
    case 'deb':
      return dpkg(e, name);
    case 'apk':
      return apk(e, name);
    case 'rpm':
      return rpm(e, name);
    case 'java-archive':
      return java(e, name, location);
    case 'go-module':
      return go(e, name);
    default: {
      const kind = kindFor(e.type, e.raw, location);
      return { name, version: baseVersion(e), metadata: { kind } as PackageMetadata };
    }
  }
}
