/**
 * Tables from what producers write to mamori's package types and metadata
 * kinds: for components without a purl, the type their properties (or SPDX
 * `sourceInfo`) name; for every package, the metadata kind the mamori
 * cataloger of that evidence would produce.
 */
import type { PackageMetadata, PackageType } from '../core/index.js';
import { TRIVY, type RawComponent } from './model.js';

type Kind = PackageMetadata['kind'];

/** The kinds each type's catalogers produce; the first is the one for installed packages. */
const KINDS: Readonly<Record<PackageType, readonly Kind[]>> = {
  deb: ['dpkg'],
  apk: ['apk'],
  rpm: ['rpm'],
  npm: ['npm-package-json', 'npm-package-lock', 'yarn-lock', 'pnpm-lock'],
  python: ['python-dist-info', 'python-egg-info', 'poetry-lock', 'pipfile-lock', 'requirements-txt'],
  'go-module': ['go-buildinfo'],
  'java-archive': ['java-archive'],
  gem: ['gemspec'],
  'rust-crate': ['rust-cargo-audit'],
  dotnet: ['dotnet-deps'],
  'php-composer': ['php-composer'],
};

const PACKAGE_TYPES: ReadonlySet<string> = new Set(Object.keys(KINDS));

/** Syft's `syft:package:metadataType` → mamori kind. */
const SYFT_KINDS: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ['python-package', 'python-dist-info'],
  ['python-poetry-lock-entry', 'poetry-lock'],
  ['python-pipfile-lock-entry', 'pipfile-lock'],
  ['python-requirements-entry', 'requirements-txt'],
  ['javascript-npm-package', 'npm-package-json'],
  ['javascript-npm-package-lock-entry', 'npm-package-lock'],
  ['javascript-yarn-lock-entry', 'yarn-lock'],
  ['javascript-pnpm-lock-entry', 'pnpm-lock'],
]);

/** Trivy's `PkgType` (its analyzer's type) → mamori kind. */
const TRIVY_KINDS: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ['node-pkg', 'npm-package-json'],
  ['npm', 'npm-package-lock'],
  ['yarn', 'yarn-lock'],
  ['pnpm', 'pnpm-lock'],
  ['python-pkg', 'python-dist-info'],
  ['pip', 'requirements-txt'],
  ['pipenv', 'pipfile-lock'],
  ['poetry', 'poetry-lock'],
]);

/** Trivy's `PkgType` → mamori type: OS families and language analyzers. */
const TRIVY_TYPES: ReadonlyMap<string, PackageType> = new Map<string, PackageType>([
  ...['debian', 'ubuntu', 'echo'].map((t): [string, PackageType] => [t, 'deb']),
  ...['alpine', 'wolfi', 'chainguard', 'minimos'].map((t): [string, PackageType] => [t, 'apk']),
  ...[
    'redhat',
    'centos',
    'rocky',
    'alma',
    'amazon',
    'fedora',
    'oracle',
    'opensuse',
    'opensuse-leap',
    'opensuse-tumbleweed',
    'sles',
    'slem',
    'photon',
    'azurelinux',
    'cbl-mariner',
  ].map((t): [string, PackageType] => [t, 'rpm']),
  ...['node-pkg', 'npm', 'yarn', 'pnpm', 'bun'].map((t): [string, PackageType] => [t, 'npm']),
  ...['python-pkg', 'pip', 'pipenv', 'poetry', 'uv', 'pylock'].map((t): [string, PackageType] => [
    t,
    'python',
  ]),
  ...['gobinary', 'gomod'].map((t): [string, PackageType] => [t, 'go-module']),
  ...['jar', 'pom', 'gradle', 'sbt'].map((t): [string, PackageType] => [t, 'java-archive']),
  ...['gemspec', 'bundler'].map((t): [string, PackageType] => [t, 'gem']),
  ...['cargo', 'rustbinary'].map((t): [string, PackageType] => [t, 'rust-crate']),
  ...['nuget', 'dotnet-core', 'packages-props'].map((t): [string, PackageType] => [t, 'dotnet']),
  ...['composer', 'composer-vendor'].map((t): [string, PackageType] => [t, 'php-composer']),
]);

/** Syft's SPDX `sourceInfo` phrases (`acquired package info from …`) → mamori type. */
const SYFT_SOURCE_INFO: readonly (readonly [string, PackageType])[] = [
  ['DPKG DB', 'deb'],
  ['APK DB', 'apk'],
  ['RPM DB', 'rpm'],
  ['installed node module manifest file', 'npm'],
  ['installed python package manifest file', 'python'],
  ['installed java archive', 'java-archive'],
  ['installed gem metadata file', 'gem'],
  ['go module information', 'go-module'],
  ['rust cargo manifest', 'rust-crate'],
  ['dotnet project assets file', 'dotnet'],
  ['PHP composer manifest', 'php-composer'],
];

export function isPackageType(t: unknown): t is PackageType {
  return typeof t === 'string' && PACKAGE_TYPES.has(t);
}

/** The type a component's properties or SPDX `sourceInfo` name, for components without a purl. */
export function typeFromProperties(c: RawComponent): PackageType | undefined {
  for (const name of ['mamori:package:type', 'syft:package:type']) {
    const t = c.props.get(name)?.[0];
    if (isPackageType(t)) return t;
  }
  const trivy = c.props.get(`${TRIVY}PkgType`)?.[0];
  const fromTrivy = trivy === undefined ? undefined : TRIVY_TYPES.get(trivy);
  if (fromTrivy) return fromTrivy;
  const info = c.sourceInfo;
  if (info?.startsWith('acquired package info from ')) {
    const what = info.slice('acquired package info from '.length);
    for (const [phrase, type] of SYFT_SOURCE_INFO) if (what.startsWith(`${phrase}:`)) return type;
  }
  return undefined;
}

/** The kind of the mamori cataloger that reads the file at `path`, for the types with several. */
function kindFromPath(type: PackageType, path: string | undefined): Kind | undefined {
  if (path === undefined) return undefined;
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (type === 'npm') {
    if (base === 'package-lock.json' || base === 'npm-shrinkwrap.json') return 'npm-package-lock';
    if (base === 'yarn.lock') return 'yarn-lock';
    if (base === 'pnpm-lock.yaml') return 'pnpm-lock';
    if (base === 'package.json') return 'npm-package-json';
  }
  if (type === 'python') {
    if (/\.egg-info(?:\/|$)/.test(path)) return 'python-egg-info';
    if (/\.dist-info\//.test(path)) return 'python-dist-info';
    if (base === 'poetry.lock') return 'poetry-lock';
    if (base === 'Pipfile.lock') return 'pipfile-lock';
    if (/^requirements.*\.txt$/.test(base)) return 'requirements-txt';
  }
  return undefined;
}

/**
 * The metadata kind for a package of `type`: the producer's, when it names
 * one mamori knows; else the one of the cataloger that reads the package's
 * primary location; else the installed-package one.
 */
export function kindFor(type: PackageType, c: RawComponent, location?: string): Kind {
  const allowed = KINDS[type];
  const mamori = c.props.get('mamori:package:metadataType')?.[0];
  const syft = c.props.get('syft:package:metadataType')?.[0];
  const trivy = c.props.get(`${TRIVY}PkgType`)?.[0];
  for (const k of [
    mamori,
    syft === undefined ? undefined : SYFT_KINDS.get(syft),
    trivy === undefined ? undefined : TRIVY_KINDS.get(trivy),
  ]) {
    if (k !== undefined && (allowed as readonly string[]).includes(k)) return k as Kind;
  }
  return kindFromPath(type, location) ?? (allowed[0] as Kind);
}
