import type { GoMetadata, Location, Package } from '../../../core/index.js';
import { purl } from '../../../core/index.js';
import type { CatalogFile, Cataloger, Fact } from '../../cataloger.js';
import { ELF_MAGIC, isExecutableOrSharedObject } from '../../elf/index.js';
import { readGoBuildInfo } from './buildinfo.js';
import type { GoBuildInfo, GoFact, GoModule } from './types.js';

const NAME = 'go-binary';
const DEVEL = '(devel)';

/**
 * PURL of a Go module as Syft and Trivy write it: the module path's last
 * segment is the name, the rest the namespace (`pkg:golang/github.com/x/y@v1.2.3`).
 * Undefined when the parts do not make a valid PURL (a hostile binary).
 */
export function goPurl(modulePath: string, version: string): string | undefined {
  const slash = modulePath.lastIndexOf('/');
  try {
    return purl({
      type: 'golang',
      namespace: slash === -1 ? undefined : modulePath.slice(0, slash),
      name: modulePath.slice(slash + 1),
      version,
    });
  } catch {
    return undefined;
  }
}

/**
 * The toolchain version as a package version: `go1.19.8` stays, a suffix
 * after a space (`go1.22.3 X:boringcrypto`) is dropped; a development build's
 * version (`devel go1.23-…`) is kept whole.
 */
export function stdlibVersion(goVersion: string): string {
  return goVersion.startsWith('go') ? (goVersion.split(' ')[0] ?? goVersion) : goVersion;
}

function settingsRecord(info: GoBuildInfo): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of info.settings) out[s.key] = s.value;
  return out;
}

/** The main module; a binary built outside module mode has only a main package path, reported as `(devel)` as Syft does. */
function mainModule(info: GoBuildInfo): GoModule | undefined {
  if (info.main !== undefined && info.main.path !== '') return info.main;
  if (info.path !== undefined && info.path !== '') return { path: info.path, version: DEVEL };
  return undefined;
}

/** The packages one Go binary holds: its main module, every dependency (replacements applied) and the standard library. */
export function goPackages(info: GoBuildInfo, location: Location): Package[] {
  const main = mainModule(info);
  const mainPath = main?.path ?? '';
  const out: Package[] = [];
  const add = (
    name: string,
    version: string,
    metadata: GoMetadata,
    licenses: readonly string[] = [],
  ): void => {
    const p = name === 'stdlib' ? stdlibPurl(version) : goPurl(name, version);
    if (p === undefined || name === '') return;
    out.push({
      name,
      version,
      type: 'go-module',
      purl: p,
      licenses,
      locations: [location],
      foundBy: NAME,
      ...(location.layer !== undefined ? { layer: location.layer } : {}),
      metadata,
    });
  };
  const base = { kind: 'go-buildinfo', goVersion: info.goVersion, mainModule: mainPath } as const;

  if (main !== undefined) {
    const settings = settingsRecord(info);
    add(main.path, main.version, {
      ...base,
      ...(info.path !== undefined && info.path !== '' ? { mainPackage: info.path } : {}),
      ...(main.sum !== undefined ? { sum: main.sum } : {}),
      ...(Object.keys(settings).length > 0 ? { settings } : {}),
    });
  }
  for (const dep of info.deps) {
    const m = dep.replace ?? dep;
    if (m.path === '') continue;
    add(m.path, m.version, {
      ...base,
      ...(m.sum !== undefined ? { sum: m.sum } : {}),
      ...(dep.replace !== undefined ? { replacedBy: { path: m.path, version: m.version } } : {}),
    });
  }
  // The Go licence; Syft reports it the same way.
  add('stdlib', stdlibVersion(info.goVersion), base, ['BSD-3-Clause']);
  return out;
}

function stdlibPurl(version: string): string | undefined {
  return goPurl('stdlib', version.startsWith('go') ? version.slice(2) : version);
}

/** Go binaries: the modules compiled into them, from their embedded build information. */
export const goBinaryCataloger: Cataloger<GoFact> = {
  name: NAME,
  version: 1,
  tags: ['binary', 'image', 'directory'],
  select: isExecutableOrSharedObject,
  magic: [ELF_MAGIC],
  // Every Go binary since 1.13 carries its build info behind this magic.
  contains: [Buffer.from('\xff Go buildinf:', 'latin1')],
  parse(file: CatalogFile): Promise<GoFact | undefined> {
    return readGoBuildInfo(file.source);
  },
  assemble(facts: readonly Fact<GoFact>[]): Package[] {
    return facts.flatMap((f) => goPackages(f.fact, { path: f.path, layer: f.layer }));
  },
};
