/**
 * SPDX 2.3 JSON, written directly (the JSON form is small and fully covered
 * by the official schema the tests validate against).
 *
 * Layout:
 * - the document DESCRIBES one package for the image (primaryPackagePurpose
 *   CONTAINER, purl `pkg:oci/…`);
 * - the distro is a package of purpose OPERATING_SYSTEM (the JSON schema's
 *   spelling; the prose of the specification says OPERATING-SYSTEM, but the
 *   schema is authoritative for JSON) that the image CONTAINS;
 * - every inventory package is a package with its purl (PACKAGE-MANAGER
 *   external reference), declared licence and, in `sourceInfo`, the files it
 *   was read from and the layers holding them;
 * - the image CONTAINS each package, except a language package owned by an OS
 *   package (the `requests` dist-info installed by Debian's python3-requests):
 *   that one is CONTAINED by its owner instead, so each package has exactly
 *   one container and the tree reads image → OS package → what it installed.
 *
 * Licences: a declared licence that is a valid SPDX expression is written as
 * such (canonical form); free text becomes a `LicenseRef-…` with its text in
 * `hasExtractedLicensingInfos`; several declared licences are joined with AND.
 * No declared licence: NOASSERTION.
 */
import { randomUUID } from 'node:crypto';
import type { Distro } from '../core/index.js';
import type { Inventory } from '../inventory/types.js';
import { packageDetails, scalar } from './details.js';
import { viewImage, type ImageView } from './image.js';
import { conjoin, licenseRefFor, parseLicenses } from './licenses.js';
import { checkInventory, compareStrings, sanitizeId, viewInventory, type PackageView } from './model.js';
import { checkNamespace, resolveTimestamp, resolveToolVersion, type SpdxOptions } from './options.js';

const NOASSERTION = 'NOASSERTION';

interface SpdxExternalRef {
  readonly referenceCategory: 'PACKAGE-MANAGER';
  readonly referenceType: 'purl';
  readonly referenceLocator: string;
}

interface SpdxPackage {
  readonly name: string;
  readonly SPDXID: string;
  readonly versionInfo?: string;
  readonly supplier: string;
  readonly downloadLocation: string;
  readonly filesAnalyzed: false;
  readonly checksums?: readonly { readonly algorithm: string; readonly checksumValue: string }[];
  readonly homepage?: string;
  readonly sourceInfo?: string;
  readonly licenseConcluded: string;
  readonly licenseDeclared: string;
  readonly copyrightText: string;
  readonly description?: string;
  readonly externalRefs?: readonly SpdxExternalRef[];
  readonly primaryPackagePurpose: 'CONTAINER' | 'OPERATING_SYSTEM' | 'LIBRARY';
}

interface SpdxRelationship {
  readonly spdxElementId: string;
  readonly relationshipType: 'DESCRIBES' | 'CONTAINS';
  readonly relatedSpdxElement: string;
}

/** Longest licence name copied from free text into `hasExtractedLicensingInfos[].name`. */
const MAX_LICENSE_NAME = 128;

function purlRefs(purl: string | undefined): { externalRefs?: SpdxExternalRef[] } {
  return purl === undefined
    ? {}
    : {
        externalRefs: [
          { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl },
        ],
      };
}

function imagePackage(image: ImageView): SpdxPackage {
  return {
    name: image.name,
    SPDXID: image.spdxId,
    ...(image.version !== undefined ? { versionInfo: image.version } : {}),
    supplier: NOASSERTION,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    ...purlRefs(image.purl),
    primaryPackagePurpose: 'CONTAINER',
  };
}

function distroPackage(d: Distro): SpdxPackage | undefined {
  const id = scalar(d.id);
  if (id === undefined) return undefined;
  const version = scalar(d.versionId);
  const description = scalar(d.prettyName);
  return {
    name: id,
    SPDXID: `SPDXRef-OperatingSystem-${sanitizeId(id) || 'unknown'}`,
    ...(version !== undefined ? { versionInfo: version } : {}),
    supplier: NOASSERTION,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    ...(description !== undefined ? { description } : {}),
    primaryPackagePurpose: 'OPERATING_SYSTEM',
  };
}

/** Declared licence of a package, registering the `LicenseRef-…` texts it needs in `refs`. */
function declaredLicense(licenses: unknown, refs: Map<string, string>): string {
  const parsed = parseLicenses(licenses);
  if (parsed.length === 0) return NOASSERTION;
  const terms = parsed.map((p) => {
    const expression = p.expression ?? p.spdxId;
    if (expression !== undefined) {
      for (const r of p.licenseRefs) if (!refs.has(r)) refs.set(r, p.text);
      return { expression, operator: p.operator };
    }
    const id = licenseRefFor(p.text);
    if (!refs.has(id)) refs.set(id, p.text);
    return { expression: id, operator: undefined };
  });
  return conjoin(terms);
}

function sourceInfo(v: PackageView): string {
  const foundBy = scalar(v.pkg.foundBy) ?? 'mamori';
  const where = v.locations.map((l) => (l.layer ? `${l.path} (layer ${l.layer.index})` : l.path)).join(', ');
  const layer = v.layer ? `; introduced in layer ${v.layer.index} (${v.layer.diffId})` : '';
  return `acquired package info from ${foundBy}${where ? `: ${where}` : ''}${layer}`;
}

function inventoryPackage(v: PackageView, refs: Map<string, string>): SpdxPackage {
  const d = packageDetails(v.pkg);
  const homepage = d.links.find((l) => l.type === 'website')?.url;
  return {
    name: v.name,
    SPDXID: v.spdxId,
    ...(v.version !== '' ? { versionInfo: v.version } : {}),
    supplier: NOASSERTION,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    ...(d.digests.length > 0
      ? { checksums: d.digests.map((h) => ({ algorithm: h.algorithm, checksumValue: h.hex })) }
      : {}),
    ...(homepage !== undefined ? { homepage } : {}),
    sourceInfo: sourceInfo(v),
    licenseConcluded: NOASSERTION,
    licenseDeclared: declaredLicense(v.pkg.licenses, refs),
    copyrightText: NOASSERTION,
    ...purlRefs(v.purl),
    primaryPackagePurpose: 'LIBRARY',
  };
}

/** SPDX `created` form: UTC to the second. */
function spdxTime(t: Date): string {
  return t.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Renders the inventory as an SPDX 2.3 JSON document (2-space indented, newline-terminated). */
export function renderSpdx(inv: Inventory, opts: SpdxOptions = {}): string {
  checkInventory(inv);
  const created = spdxTime(resolveTimestamp(opts));
  const toolVersion = resolveToolVersion(opts);
  const image = viewImage(inv);
  const view = viewInventory(inv);
  const docName = `${image.name}${scalar(inv.source.tag) ? `:${inv.source.tag}` : ''}`;
  const namespace = checkNamespace(
    opts.documentNamespace ??
      `https://spdx.org/spdxdocs/mamori/${encodeURIComponent(sanitizeId(image.name) || 'image')}-${randomUUID()}`,
  );

  const refs = new Map<string, string>();
  const packages: SpdxPackage[] = [imagePackage(image)];
  const relationships: SpdxRelationship[] = [
    { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: image.spdxId },
  ];
  const os = inv.distro ? distroPackage(inv.distro) : undefined;
  if (os) {
    packages.push(os);
    relationships.push({
      spdxElementId: image.spdxId,
      relationshipType: 'CONTAINS',
      relatedSpdxElement: os.SPDXID,
    });
  }
  for (const v of view.packages) {
    packages.push(inventoryPackage(v, refs));
    const owner = v.owner === undefined ? undefined : view.packages[v.owner];
    relationships.push({
      spdxElementId: owner?.spdxId ?? image.spdxId,
      relationshipType: 'CONTAINS',
      relatedSpdxElement: v.spdxId,
    });
  }
  const extracted = [...refs]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([licenseId, text]) => ({
      licenseId,
      extractedText: text,
      name: text.split('\n', 1)[0]?.slice(0, MAX_LICENSE_NAME) || licenseId,
    }));

  const doc = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: docName,
    documentNamespace: namespace,
    creationInfo: { created, creators: [`Tool: mamori-${toolVersion}`] },
    packages,
    ...(extracted.length > 0 ? { hasExtractedLicensingInfos: extracted } : {}),
    relationships,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
