/**
 * CycloneDX 1.6 JSON, built with the CycloneDX library's models and JSON
 * serializer.
 *
 * Layout, following what Syft and Trivy emit so that tools reading their
 * SBOMs (Grype, Trivy, Dependency-Track, OSV-Scanner) read mamori's too:
 * - `metadata.component`: the image (type `container`, purl `pkg:oci/…`);
 * - `components`: the distro as one `operating-system` component, then every
 *   package as a flat `library` component with its purl, declared licences,
 *   `evidence.occurrences` (one per file location) and `mamori:` properties.
 *
 * Ownership of a language package by an OS package (Debian's python3-requests
 * owning the `requests` dist-info) is a property of the owned component,
 * `mamori:package:ownedBy` = the owner's bom-ref (and `…:ownedBy:purl`). It is
 * deliberately neither a `dependencies` edge (ownership is not a dependency
 * and would corrupt dependency-graph analysis) nor component nesting: nested
 * components are skipped or double-counted by several SBOM readers, and
 * matchers must see both packages as top-level components to look each up
 * in its own ecosystem's advisories.
 *
 * No `dependencies` section is written: mamori does not resolve dependency
 * graphs, and a dependency entry without `dependsOn` would claim "has none".
 */
import { randomUUID } from 'node:crypto';
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import type { Distro } from '../core/index.js';
import type { Inventory } from '../inventory/types.js';
import { cyclonedxLicenses } from './cyclonedx-licenses.js';
import { packageDetails, scalar } from './details.js';
import type { HashAlgorithm } from './hashes.js';
import { viewImage } from './image.js';
import { parseLicenses } from './licenses.js';
import { checkInventory, viewInventory, type InventoryView, type PackageView } from './model.js';
import { checkSerialNumber, resolveTimestamp, resolveToolVersion, type CycloneDxOptions } from './options.js';

type NormalizedBom = Serialize.JSON.Types.Normalized.Bom;
type NormalizedComponent = Serialize.JSON.Types.Normalized.Component;

export interface Occurrence {
  readonly location: string;
  readonly additionalContext?: string;
}

const CDX_HASH: Readonly<Record<HashAlgorithm, Enums.HashAlgorithm>> = {
  SHA1: Enums.HashAlgorithm['SHA-1'],
  SHA256: Enums.HashAlgorithm['SHA-256'],
  SHA384: Enums.HashAlgorithm['SHA-384'],
  SHA512: Enums.HashAlgorithm['SHA-512'],
};

/** CycloneDX 1.6 `version` maxLength. */
export const MAX_VERSION = 1024;

const LINK_TYPE = {
  website: Enums.ExternalReferenceType.Website,
  distribution: Enums.ExternalReferenceType.Distribution,
  vcs: Enums.ExternalReferenceType.VCS,
} as const;

/**
 * The library's serializer, plus what its models lack: `evidence.occurrences`
 * (added to the normalised components by bom-ref) and no `dependencies`.
 */
class MamoriJsonSerializer extends Serialize.JsonSerializer {
  readonly #occurrences: ReadonlyMap<string, readonly Occurrence[]>;

  constructor(occurrences: ReadonlyMap<string, readonly Occurrence[]>) {
    super(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
    this.#occurrences = occurrences;
  }

  protected override _serialize(bom: NormalizedBom, options?: Serialize.Types.SerializerOptions): string {
    const withOccurrences = (c: NormalizedComponent): void => {
      const occ = c['bom-ref'] === undefined ? undefined : this.#occurrences.get(c['bom-ref']);
      if (occ !== undefined && occ.length > 0)
        c.evidence = { ...c.evidence, occurrences: occ } as typeof c.evidence;
      c.components?.forEach(withOccurrences);
    };
    bom.components?.forEach(withOccurrences);
    delete bom.dependencies;
    return super._serialize(bom, options);
  }
}

function prop(c: { properties: Models.PropertyRepository }, name: string, value: unknown): void {
  const v = scalar(value);
  if (v !== undefined) c.properties.add(new Models.Property(name, v));
}

function distroComponent(d: Distro): Models.Component | undefined {
  const id = scalar(d.id);
  if (id === undefined) return undefined;
  const version = scalar(d.versionId);
  const c = new Models.Component(Enums.ComponentType.OperatingSystem, id, {
    bomRef: `os:${id}${version ? `@${version}` : ''}`,
    version,
    description: scalar(d.prettyName),
  });
  prop(c, 'mamori:distro:id', id);
  prop(c, 'mamori:distro:versionID', version);
  prop(c, 'mamori:distro:versionCodename', d.versionCodename);
  prop(c, 'mamori:distro:prettyName', d.prettyName);
  if (Array.isArray(d.idLike)) for (const l of d.idLike) prop(c, 'mamori:distro:idLike', l);
  return c;
}

function packageComponent(v: PackageView, view: InventoryView): Models.Component {
  const d = packageDetails(v.pkg);
  const c = new Models.Component(Enums.ComponentType.Library, v.name, {
    bomRef: v.bomRef,
    // The schema caps versions at 1,024 characters; a longer (hostile) one is left out rather than cut.
    version: v.version.length > 0 && v.version.length <= MAX_VERSION ? v.version : undefined,
    purl: v.purl,
    publisher: d.publisher,
    author: d.author,
  });
  for (const l of cyclonedxLicenses(parseLicenses(v.pkg.licenses))) c.licenses.add(l);
  for (const h of d.digests) c.hashes.set(CDX_HASH[h.algorithm], h.hex);
  for (const l of d.links) c.externalReferences.add(new Models.ExternalReference(l.url, LINK_TYPE[l.type]));
  prop(c, 'mamori:package:type', v.type);
  prop(c, 'mamori:package:foundBy', v.pkg.foundBy);
  prop(c, 'mamori:package:metadataType', (v.pkg.metadata as { kind?: unknown } | undefined)?.kind);
  prop(c, 'mamori:layer:index', v.layer?.index);
  prop(c, 'mamori:layer:diffID', v.layer?.diffId);
  v.locations.forEach((l, i) => {
    prop(c, `mamori:location:${i}:path`, l.path);
    prop(c, `mamori:location:${i}:layerDiffID`, l.layer?.diffId);
  });
  const owner = v.owner === undefined ? undefined : view.packages[v.owner];
  if (owner !== undefined) prop(c, 'mamori:package:ownedBy', owner.bomRef);
  prop(c, 'mamori:package:ownedBy:purl', v.pkg.ownedBy?.purl);
  for (const [name, value] of d.properties) prop(c, name, value);
  return c;
}

function occurrences(v: PackageView): Occurrence[] {
  return v.locations.map((l) =>
    l.layer
      ? { location: l.path, additionalContext: `layer ${l.layer.index} ${l.layer.diffId}` }
      : { location: l.path },
  );
}

/** What the header of a CycloneDX document carries besides the inventory. */
export interface BomHeader {
  /** Left out when undefined. */
  readonly timestamp: Date | undefined;
  readonly toolVersion: string;
  /** Left out when undefined. */
  readonly serialNumber: string | undefined;
}

/** A CycloneDX document under construction: the library's BOM plus what mamori adds when serialising. */
export interface BomBuild {
  readonly bom: Models.Bom;
  /** The image, `metadata.component`: always present (named `unknown` when the inventory names no image). */
  readonly subject: Models.Component;
  readonly view: InventoryView;
  /** The component of each package, by the package view's bom-ref. */
  readonly components: ReadonlyMap<string, Models.Component>;
  readonly occurrences: ReadonlyMap<string, readonly Occurrence[]>;
}

/**
 * The SBOM of a (checked) inventory as library models: the image as
 * `metadata.component`, mamori as tool, the distro and every package as
 * components. Renderers add to `bom` (vulnerabilities, …) before
 * {@link serializeBom}.
 */
export function buildBom(inv: Inventory, header: BomHeader): BomBuild {
  const image = viewImage(inv);
  const view = viewInventory(inv);

  const subject = new Models.Component(Enums.ComponentType.Container, image.name, {
    bomRef: image.bomRef,
    version: image.version,
    purl: image.purl,
  });
  for (const [name, value] of image.properties) prop(subject, name, value);

  const tool = new Models.Component(Enums.ComponentType.Application, 'mamori', {
    version: header.toolVersion,
  });
  const bom = new Models.Bom({
    serialNumber: header.serialNumber,
    metadata: new Models.Metadata({
      timestamp: header.timestamp,
      tools: new Models.Tools({ components: new Models.ComponentRepository([tool]) }),
      component: subject,
    }),
  });
  const os = inv.distro ? distroComponent(inv.distro) : undefined;
  if (os) bom.components.add(os);
  const occ = new Map<string, readonly Occurrence[]>();
  const components = new Map<string, Models.Component>();
  for (const v of view.packages) {
    const c = packageComponent(v, view);
    bom.components.add(c);
    components.set(v.bomRef, c);
    occ.set(v.bomRef, occurrences(v));
  }
  return { bom, subject, view, components, occurrences: occ };
}

/** The document as CycloneDX 1.6 JSON (2-space indented, newline-terminated), lists in insertion order. */
export function serializeBom(build: BomBuild): string {
  return `${new MamoriJsonSerializer(build.occurrences).serialize(build.bom, { sortLists: false, space: 2 })}\n`;
}

/** Renders the inventory as a CycloneDX 1.6 JSON document (2-space indented, newline-terminated). */
export function renderCycloneDx(inv: Inventory, opts: CycloneDxOptions = {}): string {
  checkInventory(inv);
  return serializeBom(
    buildBom(inv, {
      timestamp: resolveTimestamp(opts),
      toolVersion: resolveToolVersion(opts),
      serialNumber: checkSerialNumber(opts.serialNumber ?? `urn:uuid:${randomUUID()}`),
    }),
  );
}
