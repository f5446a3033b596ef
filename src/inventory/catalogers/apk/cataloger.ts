/** The apk cataloger: Alpine (and Wolfi, …) packages from `/lib/apk/db/installed`. */
import { purl, type Distro, type Package } from '../../../core/index.js';
import { readText } from '../../bytesource.js';
import type { AssembleContext, CatalogFile, Cataloger, EntryInfo, Fact } from '../../cataloger.js';
import { parseInstalled, splitApkLicense, type ApkEntry } from './installed.js';

const DB = '/lib/apk/db/installed';

export interface ApkFact {
  readonly entries: readonly ApkEntry[];
}

/**
 * `pkg:apk/<distro id>/<name>@<version>?arch=…&distro=<id>-<versionId>&upstream=<origin>`,
 * as Syft writes it (`upstream` only when the origin differs from the name).
 * Without a known distribution the namespace is `alpine` and `distro` is left out.
 */
export function apkPurl(e: ApkEntry, distro: Distro | undefined): string {
  return purl({
    type: 'apk',
    namespace: distro?.id ?? 'alpine',
    name: e.name,
    version: e.version,
    qualifiers: {
      arch: e.architecture,
      distro:
        distro !== undefined
          ? [distro.id, distro.versionId].filter((s) => s !== undefined && s !== '').join('-')
          : undefined,
      upstream: e.origin !== e.name ? e.origin : undefined,
    },
  });
}

async function parse(file: CatalogFile): Promise<ApkFact | undefined> {
  if (file.path !== DB) return undefined;
  const entries = parseInstalled(await readText(file.source));
  return entries.length > 0 ? { entries } : undefined;
}

function assemble(facts: readonly Fact<ApkFact>[], ctx: AssembleContext): Package[] {
  const out: Package[] = [];
  for (const f of facts) {
    for (const e of f.fact.entries) {
      out.push({
        name: e.name,
        version: e.version,
        type: 'apk',
        purl: apkPurl(e, ctx.distro),
        licenses: splitApkLicense(e.license),
        locations: [{ path: f.path, layer: f.layer }],
        foundBy: 'apk',
        layer: f.layer,
        metadata: {
          kind: 'apk',
          origin: e.origin,
          ...(e.architecture !== undefined ? { architecture: e.architecture } : {}),
          ...(e.maintainer !== undefined ? { maintainer: e.maintainer } : {}),
          ...(e.url !== undefined ? { url: e.url } : {}),
          ...(e.commit !== undefined ? { commit: e.commit } : {}),
          files: e.files,
        },
      });
    }
  }
  return out;
}

export const apkCataloger: Cataloger<ApkFact> = {
  name: 'apk',
  version: 1,
  tags: ['os', 'image', 'directory'],
  maxFileSize: 64 * 1024 * 1024,
  select(entry: EntryInfo): boolean {
    return entry.path === DB;
  },
  parse,
  assemble,
};
