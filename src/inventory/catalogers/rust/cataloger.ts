import type { Location, Package } from '../../../core/index.js';
import { purl } from '../../../core/index.js';
import type { CatalogFile, Cataloger, Fact } from '../../cataloger.js';
import { ELF_MAGIC, isExecutableOrSharedObject } from '../../elf/index.js';
import { readCargoAuditable } from './audit.js';
import type { CargoAuditInfo } from './audit.js';

const NAME = 'rust-cargo-auditable';

/** The per-binary fact the rust-cargo-auditable cataloger caches. */
export type RustAuditFact = CargoAuditInfo;

/**
 * The crates compiled into one binary. Build-time dependencies (build
 * scripts, proc-macros) are recorded in the audit data but are not part of
 * the binary, so they are left out, as Syft and Trivy do.
 */
export function rustPackages(info: CargoAuditInfo, location: Location): Package[] {
  const out: Package[] = [];
  for (const p of info.packages) {
    if (p.kind !== 'runtime') continue;
    let id: string;
    try {
      id = purl({ type: 'cargo', name: p.name, version: p.version });
    } catch {
      continue;
    }
    out.push({
      name: p.name,
      version: p.version,
      type: 'rust-crate',
      purl: id,
      licenses: [],
      locations: [location],
      foundBy: NAME,
      ...(location.layer !== undefined ? { layer: location.layer } : {}),
      metadata: { kind: 'rust-cargo-audit', source: p.source, dependencyKind: p.kind },
    });
  }
  return out;
}

/** Rust binaries built with `cargo auditable`: the crates listed in their `.dep-v0` section. */
export const rustAuditCataloger: Cataloger<RustAuditFact> = {
  name: NAME,
  version: 1,
  tags: ['binary', 'image', 'directory'],
  select: isExecutableOrSharedObject,
  magic: [ELF_MAGIC],
  // The section name is in the section-name table of every binary that has the section.
  contains: [Buffer.from('.dep-v0', 'latin1')],
  parse(file: CatalogFile): Promise<RustAuditFact | undefined> {
    return readCargoAuditable(file.source);
  },
  assemble(facts: readonly Fact<RustAuditFact>[]): Package[] {
    return facts.flatMap((f) => rustPackages(f.fact, { path: f.path, layer: f.layer }));
  },
};
