/**
 * What the reader keeps of each component of an SBOM, format-neutral and
 * already bounded: a few strings, the properties the reader uses (mamori's,
 * Syft's and Trivy's, by exact name), locations and licences. Only this is
 * kept per component while the document streams past.
 */

export type SbomFormat = 'cyclonedx' | 'spdx';

export const TRIVY = 'aquasecurity:trivy:';

/** The properties the reader uses, by exact name; every other property is dropped as it is read. */
const WANTED = new Set([
  ...['type', 'metadataType', 'ownedBy', 'ownedBy:purl'].map((n) => `mamori:package:${n}`),
  'mamori:layer:index',
  'mamori:layer:diffID',
  ...[
    'source',
    'sourceVersion',
    'architecture',
    'origin',
    'epoch',
    'release',
    'sourceRpm',
    'vendor',
    'modularityLabel',
    'groupId',
    'artifactId',
    'virtualPath',
    'goVersion',
    'mainModule',
    'sum',
  ].map((n) => `mamori:metadata:${n}`),
  ...['id', 'versionID', 'versionCodename', 'prettyName', 'idLike'].map((n) => `mamori:distro:${n}`),
  'syft:package:type',
  'syft:package:metadataType',
  ...[
    'source',
    'sourceVersion',
    'originPackage',
    'epoch',
    'release',
    'sourceRpm',
    'modularityLabel',
    'virtualPath',
    'goCompiledVersion',
    'mainModule',
    'h1Digest',
  ].map((n) => `syft:metadata:${n}`),
  ...['id', 'versionID', 'versionCodename', 'prettyName', 'idLike'].map((n) => `syft:distro:${n}`),
  ...[
    'PkgType',
    'SrcName',
    'SrcVersion',
    'SrcRelease',
    'SrcEpoch',
    'FilePath',
    'LayerDiffID',
    'DiffID',
    'Modularitylabel',
  ].map((n) => `${TRIVY}${n}`),
]);
const WANTED_NUMBERED =
  /^(?:(?:mamori|syft):location:\d{1,4}:(?:path|layerDiffID|layerID)|mamori:image:layer:\d{1,4}:diffID|syft:distro:idLike:\d{1,3})$/;

/** Whether the reader uses a property of this name (mamori's, Syft's and Trivy's conventions). */
export function isWantedProperty(name: string): boolean {
  return WANTED.has(name) || WANTED_NUMBERED.test(name);
}

/** Why a component's own strings were refused (the component is then left out with a warning). */
export type Rejection = 'unsafe-string';

export interface RawComponent {
  /** Position in document order; nested components follow their parent. */
  readonly index: number;
  /** CycloneDX `bom-ref` or SPDX `SPDXID`. */
  readonly ref: string | undefined;
  /** CycloneDX component `type` or SPDX `primaryPackagePurpose`, as written. */
  readonly kind: string | undefined;
  readonly name: string | undefined;
  /** CycloneDX `group`. */
  readonly group: string | undefined;
  readonly version: string | undefined;
  readonly purl: string | undefined;
  readonly description: string | undefined;
  /** SPDX `sourceInfo`. */
  readonly sourceInfo: string | undefined;
  /** Known properties, each name with its values in order. */
  readonly props: ReadonlyMap<string, readonly string[]>;
  /** CycloneDX `evidence.occurrences[].location`. */
  readonly occurrences: readonly string[];
  readonly licenses: readonly string[];
  /** Index of the CycloneDX component this one is nested in. */
  readonly parent: number | undefined;
  readonly rejected: Rejection | undefined;
}

/** A relationship between two SPDX elements, normalised to one direction. */
export interface Relationship {
  /** `describes`: the document describes `to`; `contains` and `owns`: `from` holds `to`. */
  readonly type: 'describes' | 'contains' | 'owns';
  readonly from: string;
  readonly to: string;
}

export interface SbomDocument {
  readonly format: SbomFormat;
  readonly specVersion: string;
  /** CycloneDX `metadata.component` (index -1). */
  readonly subject: RawComponent | undefined;
  /** SPDX document `name`. */
  readonly documentName: string | undefined;
  readonly components: readonly RawComponent[];
  readonly relationships: readonly Relationship[];
  /** SPDX `documentDescribes`. */
  readonly describes: readonly string[];
  /** Elements of the component or package lists that were not JSON objects. */
  readonly malformed: number;
  /** Relationships dropped past the bound. */
  readonly droppedRelationships: number;
}

export function firstProp(props: ReadonlyMap<string, readonly string[]>, name: string): string | undefined {
  return props.get(name)?.[0];
}
