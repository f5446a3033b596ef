/**
 * SPDX 2.2 / 2.3 JSON: each element of `packages` becomes a RawComponent and
 * the relationships that can name a package's owner or the document's
 * subject are kept.
 *
 * What the producers put where:
 * - mamori: the purl (PACKAGE-MANAGER external reference), the files read in
 *   `sourceInfo` (`acquired package info from CATALOGER: PATH (layer N), …`),
 *   the distro as a package of purpose OPERATING_SYSTEM, ownership as a
 *   CONTAINS relationship from the owning OS package;
 * - Syft: the purl (with `upstream`, `distro`, `epoch` qualifiers),
 *   `sourceInfo` naming the evidence (`acquired package info from DPKG DB:
 *   /var/lib/dpkg/status`), ownership as an OTHER relationship whose comment
 *   starts with `ownership-by-file-overlap`;
 * - Trivy: `sourceInfo` `built package from: SRC VERSION`, properties as
 *   `Key: value` annotations (older releases: `attributionTexts`), the OS as a
 *   package of purpose OPERATING-SYSTEM.
 */
import {
  clean,
  hasControl,
  MAX_LICENSES,
  MAX_NAME,
  MAX_PROPERTIES,
  MAX_PURL,
  MAX_VERSION,
  own,
} from './bounds.js';
import { isWantedProperty, TRIVY, type RawComponent, type Relationship } from './model.js';

const NO_LICENSE = new Set(['NOASSERTION', 'NONE']);

function purlOf(p: unknown): { value: string | undefined; unsafe: boolean } {
  const refs = own(p, 'externalRefs');
  if (!Array.isArray(refs)) return { value: undefined, unsafe: false };
  for (const r of refs as unknown[]) {
    const type = own(r, 'referenceType');
    if (typeof type !== 'string' || type.toLowerCase() !== 'purl') continue;
    const locator = own(r, 'referenceLocator');
    if (hasControl(locator)) return { value: undefined, unsafe: true };
    const v = clean(locator, MAX_PURL);
    if (v !== undefined) return { value: v, unsafe: false };
  }
  return { value: undefined, unsafe: false };
}

/** Trivy's `Key: value` texts (annotation comments, attribution texts) as properties. */
function trivyProps(p: unknown): Map<string, string[]> {
  const texts: unknown[] = [];
  const annotations = own(p, 'annotations');
  if (Array.isArray(annotations)) for (const a of annotations as unknown[]) texts.push(own(a, 'comment'));
  const attributions = own(p, 'attributionTexts');
  if (Array.isArray(attributions)) texts.push(...(attributions as unknown[]));
  const out = new Map<string, string[]>();
  let kept = 0;
  for (const t of texts) {
    if (kept >= MAX_PROPERTIES) break;
    const s = clean(t);
    const m = s === undefined ? null : /^([A-Za-z]+): (.+)$/.exec(s);
    const name = m ? `${TRIVY}${m[1] as string}` : undefined;
    if (!m || name === undefined || !isWantedProperty(name)) continue;
    const values = out.get(name);
    if (values) values.push(m[2] as string);
    else out.set(name, [m[2] as string]);
    kept++;
  }
  return out;
}

/**
 * The purpose of a package that states none, from the element id Trivy (and
 * mamori) give it: older Trivy releases write no `primaryPackagePurpose`.
 */
function purposeFromId(id: string | undefined): string | undefined {
  if (id?.startsWith('SPDXRef-OperatingSystem-')) return 'OPERATING-SYSTEM';
  if (id?.startsWith('SPDXRef-Application-')) return 'APPLICATION';
  if (id?.startsWith('SPDXRef-ContainerImage-')) return 'CONTAINER';
  return undefined;
}

export function spdxPackage(p: Record<string, unknown>, index: number): RawComponent {
  const ref = clean(own(p, 'SPDXID'), MAX_PURL);
  const name = own(p, 'name');
  const version = own(p, 'versionInfo');
  const purl = purlOf(p);
  const declared = clean(own(p, 'licenseDeclared'), 1024);
  return {
    index,
    ref,
    kind: clean(own(p, 'primaryPackagePurpose'), 64) ?? purposeFromId(ref),
    name: clean(name, MAX_NAME),
    group: undefined,
    version: clean(version, MAX_VERSION),
    purl: purl.value,
    description: clean(own(p, 'description')),
    sourceInfo: clean(own(p, 'sourceInfo')),
    props: trivyProps(p),
    occurrences: [],
    licenses: declared !== undefined && !NO_LICENSE.has(declared) ? [declared].slice(0, MAX_LICENSES) : [],
    parent: undefined,
    rejected: hasControl(name) || hasControl(version) || purl.unsafe ? 'unsafe-string' : undefined,
  };
}

/** Whether an element id names a file (Syft and Trivy `SPDXRef-File-…`): never a package's owner or subject. */
function isFileId(id: string): boolean {
  return id.startsWith('SPDXRef-File-');
}

/** The relationship in mamori's direction, or undefined when it cannot matter. */
export function spdxRelationship(r: unknown): Relationship | undefined {
  const a = clean(own(r, 'spdxElementId'), MAX_PURL);
  const b = clean(own(r, 'relatedSpdxElement'), MAX_PURL);
  const type = own(r, 'relationshipType');
  if (a === undefined || b === undefined || typeof type !== 'string') return undefined;
  switch (type.toUpperCase()) {
    case 'DESCRIBES':
      return { type: 'describes', from: a, to: b };
    case 'DESCRIBED_BY':
      return { type: 'describes', from: b, to: a };
    case 'CONTAINS':
      return isFileId(b) ? undefined : { type: 'contains', from: a, to: b };
    case 'CONTAINED_BY':
      return isFileId(a) ? undefined : { type: 'contains', from: b, to: a };
    case 'OTHER': {
      const comment = own(r, 'comment');
      return typeof comment === 'string' && comment.startsWith('ownership-by-file-overlap')
        ? { type: 'owns', from: a, to: b }
        : undefined;
    }
    default:
      return undefined;
  }
}
