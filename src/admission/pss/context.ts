/**
 * What every Pod Security Standards check sees: the pod spec and metadata,
 * the field paths to name in findings, and every container of every kind.
 * Accessors read untrusted values without ever throwing.
 */
import { isObject } from '../workload/index.js';
import type { JsonObject } from '../workload/index.js';
import type { PssLevel } from './version.js';

export { isObject };
export type { JsonObject };

export interface Violation {
  /** Stable id of the control, e.g. `privileged`, `capabilities.restricted`. */
  readonly control: string;
  /** Lowest level that forbids this. */
  readonly level: PssLevel;
  /** Field path of the offending value, e.g. `spec.containers[0].securityContext.privileged`. */
  readonly path: string;
  /** `control (what is wrong)`, in Pod Security Admission's wording. */
  readonly message: string;
  /** What to change so the pod is allowed. */
  readonly fix: string;
}

export type ContainerList = 'containers' | 'initContainers' | 'ephemeralContainers';

export interface ContainerRef {
  readonly list: ContainerList;
  readonly index: number;
  readonly name: string;
  /** Field path of the container, e.g. `spec.initContainers[1]`. */
  readonly path: string;
  readonly value: JsonObject;
  /** `securityContext`, or an empty object when absent or malformed. */
  readonly sc: JsonObject;
}

export interface PodContext {
  readonly spec: JsonObject;
  readonly metadata: JsonObject;
  readonly specPath: string;
  readonly metadataPath: string;
  /** Kubernetes minor version whose rules apply; +Infinity for `latest`. */
  readonly minor: number;
  readonly containers: readonly ContainerRef[];
  /** Pod `securityContext`, or an empty object. */
  readonly podSc: JsonObject;
  readonly podScPath: string;
  /** `spec.os.name` is `windows`. */
  readonly windows: boolean;
}

export function obj(v: unknown): JsonObject {
  return isObject(v) ? v : {};
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function joinPath(prefix: string, field: string): string {
  return prefix ? `${prefix}.${field}` : field;
}

/** A value for a message: strings quoted and cut short, others as JSON. */
export function show(v: unknown): string {
  const s =
    typeof v === 'string' ? JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v) : JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 100 ? `${s.slice(0, 100)}…` : s;
}

const KIND_WORD: Record<ContainerList, string> = {
  containers: 'container',
  initContainers: 'initContainer',
  ephemeralContainers: 'ephemeralContainer',
};

/** `container "app"`, `initContainer "setup"`, as in PSA's messages. */
export function who(c: ContainerRef): string {
  return `${KIND_WORD[c.list]} ${show(c.name)}`;
}

export function buildContext(
  spec: JsonObject,
  metadata: JsonObject,
  specPath: string,
  metadataPath: string,
  minor: number,
): PodContext {
  const containers: ContainerRef[] = [];
  for (const l of ['containers', 'initContainers', 'ephemeralContainers'] as const) {
    list(spec[l]).forEach((c, index) => {
      if (!isObject(c)) return;
      containers.push({
        list: l,
        index,
        name: str(c.name) ?? `#${index}`,
        path: `${joinPath(specPath, l)}[${index}]`,
        value: c,
        sc: obj(c.securityContext),
      });
    });
  }
  return {
    spec,
    metadata,
    specPath,
    metadataPath,
    minor,
    containers,
    podSc: obj(spec.securityContext),
    podScPath: joinPath(specPath, 'securityContext'),
    windows: str(obj(spec.os).name) === 'windows',
  };
}

/** A violation in PSA's `control (detail)` form. */
export function violation(
  control: string,
  level: PssLevel,
  path: string,
  detail: string,
  fix: string,
): Violation {
  return { control, level, path, message: `${control} (${detail})`, fix };
}
