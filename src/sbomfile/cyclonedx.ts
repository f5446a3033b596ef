/**
 * CycloneDX JSON (1.2–1.7): each element of `components`, with its nested
 * `components`, becomes a RawComponent; `metadata.component` is the subject.
 *
 * What the producers put where:
 * - mamori: `mamori:package:*`, `mamori:metadata:*`, `mamori:location:N:*`,
 *   `mamori:layer:*` properties, ownership as `mamori:package:ownedBy` (the
 *   owner's bom-ref), the distro as an `operating-system` component with
 *   `mamori:distro:*` properties, the image's layers as
 *   `mamori:image:layer:N:diffID` on the subject;
 * - Syft: `syft:package:type`, `syft:metadata:*` (dpkg `source` and
 *   `sourceVersion`, apk `originPackage`, rpm `sourceRpm`, `epoch`,
 *   `release`), `syft:location:N:path`, the distro as an `operating-system`
 *   component with `syft:distro:*` properties, and `file` components;
 * - Trivy: `aquasecurity:trivy:PkgType`, `SrcName`, `SrcVersion`,
 *   `SrcRelease`, `SrcEpoch`, `FilePath`, `LayerDiffID`; the OS as an
 *   `operating-system` component named after the family (`debian`, `12.5`),
 *   `application` components grouping a lockfile's or binary's packages, and
 *   the image's layers as `aquasecurity:trivy:DiffID` on the subject.
 */
import {
  clean,
  hasControl,
  isObject,
  MAX_LICENSES,
  MAX_LOCATIONS,
  MAX_NAME,
  MAX_PROPERTIES,
  MAX_PURL,
  MAX_VERSION,
  own,
} from './bounds.js';
import { isWantedProperty, type RawComponent } from './model.js';

function properties(c: Record<string, unknown>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const list = own(c, 'properties');
  if (!Array.isArray(list)) return out;
  let kept = 0;
  for (const p of list as unknown[]) {
    if (kept >= MAX_PROPERTIES) break;
    const name = clean(own(p, 'name'), 256);
    const value = clean(own(p, 'value'));
    if (name === undefined || value === undefined || !isWantedProperty(name)) continue;
    const values = out.get(name);
    if (values) values.push(value);
    else out.set(name, [value]);
    kept++;
  }
  return out;
}

function licenses(c: Record<string, unknown>): string[] {
  const list = own(c, 'licenses');
  if (!Array.isArray(list)) return [];
  const out = new Set<string>();
  for (const l of list as unknown[]) {
    if (out.size >= MAX_LICENSES) break;
    const lic = own(l, 'license');
    const v =
      clean(own(lic, 'id'), 1024) ?? clean(own(lic, 'name'), 1024) ?? clean(own(l, 'expression'), 1024);
    if (v !== undefined) out.add(v);
  }
  return [...out];
}

function occurrences(c: Record<string, unknown>): string[] {
  const list = own(own(c, 'evidence'), 'occurrences');
  if (!Array.isArray(list)) return [];
  const out: string[] = [];
  for (const o of list as unknown[]) {
    if (out.length >= MAX_LOCATIONS) break;
    const loc = clean(own(o, 'location'));
    if (loc !== undefined) out.push(loc);
  }
  return out;
}

/** One CycloneDX component object, without its nested components. */
export function cdxComponent(
  c: Record<string, unknown>,
  index: number,
  parent: number | undefined,
): RawComponent {
  const name = own(c, 'name');
  const version = own(c, 'version');
  const purl = own(c, 'purl');
  const unsafe = [name, version, purl].some(hasControl);
  return {
    index,
    ref: clean(own(c, 'bom-ref'), MAX_PURL),
    kind: clean(own(c, 'type'), 64),
    name: clean(name, MAX_NAME),
    group: clean(own(c, 'group'), MAX_NAME),
    version: clean(version, MAX_VERSION),
    purl: clean(purl, MAX_PURL),
    description: clean(own(c, 'description')),
    sourceInfo: undefined,
    props: properties(c),
    occurrences: occurrences(c),
    licenses: licenses(c),
    parent,
    rejected: unsafe ? 'unsafe-string' : undefined,
  };
}

export interface ComponentTree {
  readonly components: RawComponent[];
  /** Entries that were not objects. */
  readonly malformed: number;
}

/**
 * A component and everything nested in it, in document order, numbered from
 * `first`; `budget` is called once per component and throws past the bound.
 * Walks with an explicit stack, so nesting depth costs no call stack.
 */
export function cdxComponentTree(
  root: unknown,
  first: number,
  budget: () => void,
  parent?: number,
): ComponentTree {
  const components: RawComponent[] = [];
  let malformed = 0;
  const stack: { node: unknown; parent: number | undefined }[] = [{ node: root, parent }];
  while (stack.length > 0) {
    const { node, parent: p } = stack.pop() as { node: unknown; parent: number | undefined };
    if (!isObject(node)) {
      malformed++;
      continue;
    }
    budget();
    const index = first + components.length;
    components.push(cdxComponent(node, index, p));
    const nested = own(node, 'components');
    if (Array.isArray(nested)) {
      for (let k = nested.length - 1; k >= 0; k--) stack.push({ node: nested[k], parent: index });
    }
  }
  return { components, malformed };
}
