/**
 * The highlights of a package's metadata that SBOMs carry: a few properties
 * per evidence kind (source package, origin, SOURCERPM, Go version, Maven
 * coordinates, …), links, archive digests and the publisher. Values that are
 * not plain strings or numbers are dropped, never rendered as `[object …]`.
 */
import type { Package, PackageMetadata } from '../core/index.js';
import { digestsFromSri, type Digest } from './hashes.js';

export type LinkType = 'website' | 'distribution' | 'vcs';

export interface PackageDetails {
  /** `[name, value]` pairs, names under `mamori:metadata:`. */
  readonly properties: readonly (readonly [string, string])[];
  readonly links: readonly { readonly type: LinkType; readonly url: string }[];
  readonly digests: readonly Digest[];
  readonly publisher: string | undefined;
  readonly author: string | undefined;
}

/** Go build settings kept per binary; the rest are dropped. */
const MAX_SETTINGS = 64;

export function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return undefined;
}

const URL_SCHEMES = new Set(['http:', 'https:', 'git:', 'git+https:', 'git+ssh:', 'ssh:']);

/** A normalised absolute URL of a fetchable scheme, or undefined. */
export function safeUrl(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length === 0 || v.length > 2048) return undefined;
  try {
    const u = new URL(v);
    return URL_SCHEMES.has(u.protocol) ? u.href : undefined;
  } catch {
    return undefined;
  }
}

class Collector {
  readonly properties: (readonly [string, string])[] = [];
  readonly links: { type: LinkType; url: string }[] = [];
  digests: Digest[] = [];
  publisher: string | undefined;
  author: string | undefined;

  prop(name: string, value: unknown): void {
    const s = scalar(value);
    if (s !== undefined) this.properties.push([`mamori:metadata:${name}`, s]);
  }

  link(type: LinkType, value: unknown): void {
    const url = safeUrl(value);
    if (url !== undefined) this.links.push({ type, url });
  }
}

function collect(c: Collector, m: PackageMetadata): void {
  switch (m.kind) {
    case 'dpkg':
      c.prop('source', m.source);
      c.prop('sourceVersion', m.sourceVersion);
      c.prop('architecture', m.architecture);
      c.prop('installedSize', m.installedSize);
      c.publisher = scalar(m.maintainer);
      break;
    case 'apk':
      c.prop('origin', m.origin);
      c.prop('architecture', m.architecture);
      c.prop('commit', m.commit);
      c.link('website', m.url);
      c.publisher = scalar(m.maintainer);
      break;
    case 'rpm':
      c.prop('epoch', m.epoch);
      c.prop('release', m.release);
      c.prop('architecture', m.architecture);
      c.prop('sourceRpm', m.sourceRpm);
      c.prop('vendor', m.vendor);
      c.prop('modularityLabel', m.modularityLabel);
      c.publisher = scalar(m.vendor);
      break;
    case 'npm-package-json':
    case 'npm-package-lock':
    case 'yarn-lock':
    case 'pnpm-lock':
      c.prop('dev', m.dev);
      c.link('distribution', m.resolved);
      c.digests = digestsFromSri(m.integrity);
      break;
    case 'python-dist-info':
    case 'python-egg-info':
    case 'poetry-lock':
    case 'pipfile-lock':
    case 'requirements-txt':
      c.link('website', m.homePage);
      c.author = scalar(m.author);
      break;
    case 'go-buildinfo':
      c.prop('goVersion', m.goVersion);
      c.prop('mainModule', m.mainModule);
      c.prop('mainPackage', m.mainPackage);
      c.prop('sum', m.sum);
      if (m.replacedBy && scalar(m.replacedBy.path) !== undefined) {
        c.prop(
          'replacedBy',
          `${m.replacedBy.path}${scalar(m.replacedBy.version) ? `@${m.replacedBy.version}` : ''}`,
        );
      }
      if (typeof m.settings === 'object' && m.settings !== null) {
        const keys = Object.keys(m.settings).sort().slice(0, MAX_SETTINGS);
        for (const k of keys) c.prop(`goBuildSettings:${k}`, m.settings[k]);
      }
      break;
    case 'java-archive':
      c.prop('groupId', m.groupId);
      c.prop('artifactId', m.artifactId);
      c.prop('virtualPath', m.virtualPath);
      break;
    case 'gemspec':
      c.link('website', m.homepage);
      c.author = Array.isArray(m.authors)
        ? scalar(m.authors.filter((a) => typeof a === 'string').join(', '))
        : undefined;
      break;
    case 'rust-cargo-audit':
      c.prop('source', m.source);
      c.prop('dependencyKind', m.dependencyKind);
      break;
    case 'dotnet-deps':
      c.prop('path', m.path);
      c.prop('hashPath', m.hashPath);
      c.digests = digestsFromSri(m.sha512);
      break;
    case 'php-composer':
      c.prop('sourceReference', m.sourceReference);
      c.link('vcs', m.sourceUrl);
      c.link('distribution', m.distUrl);
      break;
    default:
      break;
  }
}

export function packageDetails(pkg: Package): PackageDetails {
  const c = new Collector();
  const m: unknown = pkg.metadata;
  if (typeof m === 'object' && m !== null && typeof (m as { kind?: unknown }).kind === 'string') {
    collect(c, m as PackageMetadata);
  }
  return c;
}
