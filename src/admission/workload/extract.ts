/**
 * Finds the pod template(s) of a Kubernetes object: a Pod's own spec, the
 * template of every pod-owning controller, a CronJob's job template and the
 * EphemeralContainers subresource. Each template carries the JSON field path
 * of its spec and metadata so that findings can name the exact field.
 *
 * The object is untrusted: shapes are checked and sizes bounded before any
 * template is returned; a bad object yields an error list, never a throw.
 */

import { isObject } from './json.js';
import type { JsonObject } from './json.js';
import { checkFieldTypes } from './types.js';

/** Bounds applied to every object before its templates are returned. */
export interface WorkloadLimits {
  /** Containers of one kind (containers, initContainers, ephemeralContainers). */
  readonly maxContainers: number;
  readonly maxVolumes: number;
  /** Length of any string anywhere in the object. */
  readonly maxStringLength: number;
  /** Nesting depth of the object. */
  readonly maxDepth: number;
  /** Elements of any one array. */
  readonly maxArrayLength: number;
  /** Keys of any one object (annotations, labels, …). */
  readonly maxKeys: number;
}

export const DEFAULT_WORKLOAD_LIMITS: WorkloadLimits = Object.freeze({
  maxContainers: 256,
  maxVolumes: 1024,
  maxStringLength: 256 * 1024,
  maxDepth: 64,
  maxArrayLength: 4096,
  maxKeys: 4096,
});

export type { JsonObject };

/** One pod template found in an object. */
export interface PodTemplate {
  /** Kind of the object the template came from. */
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** Field path of the pod spec, e.g. `spec.template.spec`; empty for the EphemeralContainers subresource. */
  readonly specPath: string;
  /** Field path of the pod metadata, e.g. `spec.template.metadata`. */
  readonly metadataPath: string;
  readonly spec: JsonObject;
  readonly metadata: JsonObject;
}

export interface PodSpecsResult {
  readonly templates: PodTemplate[];
  /** Why the object (or part of it) was refused; empty when all is well. */
  readonly errors: string[];
}

/** Kinds whose pods come from `spec.template`. */
export const TEMPLATE_KINDS: readonly string[] = Object.freeze([
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'ReplicationController',
  'PodTemplate',
]);

/** Every kind that owns or is a pod, in the order the webhook registers them. */
export const POD_OWNING_KINDS: readonly string[] = Object.freeze([
  'Pod',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'ReplicationController',
]);

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

export { isObject };

/** Walks the value once, checking depth, string length, array length and key count. */
/** A value met by the bounds walk; its path is spelled out only for an error message. */
interface Frame {
  readonly v: unknown;
  readonly depth: number;
  readonly parent: Frame | undefined;
  readonly key: string | number;
}

function pathOf(f: Frame): string {
  const parts: string[] = [];
  for (let c: Frame | undefined = f; c?.parent; c = c.parent) {
    parts.push(typeof c.key === 'number' ? `[${c.key}]` : c.parent.parent ? `.${c.key}` : c.key);
  }
  return parts.reverse().join('') || '(root)';
}

function checkBounds(value: unknown, limits: WorkloadLimits, errors: string[]): boolean {
  const stack: Frame[] = [{ v: value, depth: 0, parent: undefined, key: '' }];
  let visited = 0;
  const fail = (f: Frame, message: string): false => {
    errors.push(`${pathOf(f)}: ${message}`);
    return false;
  };
  while (stack.length > 0) {
    const f = stack.pop() as Frame;
    const v = f.v;
    if (++visited > 1_000_000) {
      errors.push('object has too many values (over 1000000)');
      return false;
    }
    if (typeof v === 'string') {
      if (v.length > limits.maxStringLength) {
        return fail(f, `string longer than ${limits.maxStringLength} characters`);
      }
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (f.depth >= limits.maxDepth) return fail(f, `nested deeper than ${limits.maxDepth} levels`);
    if (Array.isArray(v)) {
      if (v.length > limits.maxArrayLength) {
        return fail(f, `array longer than ${limits.maxArrayLength} elements`);
      }
      for (let i = 0; i < v.length; i++) stack.push({ v: v[i], depth: f.depth + 1, parent: f, key: i });
      continue;
    }
    const keys = Object.keys(v);
    if (keys.length > limits.maxKeys) return fail(f, `more than ${limits.maxKeys} keys`);
    for (const k of keys) {
      if (k.length > limits.maxStringLength) {
        return fail(f, `key longer than ${limits.maxStringLength} characters`);
      }
      stack.push({ v: (v as JsonObject)[k], depth: f.depth + 1, parent: f, key: k });
    }
  }
  return true;
}

function join(prefix: string, field: string): string {
  return prefix ? `${prefix}.${field}` : field;
}

/** Checks the parts of a pod spec that the policy checks rely on. */
function checkPodSpec(spec: JsonObject, specPath: string, limits: WorkloadLimits, errors: string[]): boolean {
  const before = errors.length;
  let containerCount = 0;
  for (const list of CONTAINER_LISTS) {
    const v = spec[list];
    const p = join(specPath, list);
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v)) {
      errors.push(`${p}: must be a list`);
      continue;
    }
    if (v.length > limits.maxContainers) {
      errors.push(`${p}: more than ${limits.maxContainers} containers`);
      continue;
    }
    containerCount += v.length;
    v.forEach((c: unknown, i) => {
      if (!isObject(c)) errors.push(`${p}[${i}]: must be an object`);
      else {
        if (typeof c.name !== 'string') errors.push(`${p}[${i}].name: must be a string`);
        for (const f of ['securityContext', 'lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
          if (c[f] !== undefined && c[f] !== null && !isObject(c[f]))
            errors.push(`${p}[${i}].${f}: must be an object`);
        }
        if (c.ports !== undefined && c.ports !== null && !Array.isArray(c.ports)) {
          errors.push(`${p}[${i}].ports: must be a list`);
        }
      }
    });
  }
  if (containerCount === 0 && specPath !== '') errors.push(`${join(specPath, 'containers')}: no containers`);
  const vols = spec.volumes;
  if (vols !== undefined && vols !== null) {
    if (!Array.isArray(vols)) errors.push(`${join(specPath, 'volumes')}: must be a list`);
    else if (vols.length > limits.maxVolumes)
      errors.push(`${join(specPath, 'volumes')}: more than ${limits.maxVolumes} volumes`);
    else
      vols.forEach(
        (v: unknown, i) =>
          !isObject(v) && errors.push(`${join(specPath, 'volumes')}[${i}]: must be an object`),
      );
  }
  const sc = spec.securityContext;
  if (sc !== undefined && sc !== null && !isObject(sc))
    errors.push(`${join(specPath, 'securityContext')}: must be an object`);
  if (errors.length === before) checkFieldTypes(spec, specPath, errors);
  return errors.length === before;
}

function metaOf(v: unknown, path: string, errors: string[]): JsonObject | undefined {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) {
    errors.push(`${path}: must be an object`);
    return undefined;
  }
  const ann = v.annotations;
  if (ann !== undefined && ann !== null) {
    if (!isObject(ann)) {
      errors.push(`${path}.annotations: must be an object`);
      return undefined;
    }
    for (const [k, a] of Object.entries(ann)) {
      if (typeof a !== 'string') {
        errors.push(`${path}.annotations[${JSON.stringify(k)}]: must be a string`);
        return undefined;
      }
    }
  }
  return v;
}

/** Follows `path` (dot-separated) from `root`, reporting the first missing or wrong step. */
function at(root: JsonObject, path: string, errors: string[]): JsonObject | undefined {
  let cur: unknown = root;
  let walked = '';
  for (const step of path.split('.')) {
    walked = join(walked, step);
    cur = isObject(cur) ? cur[step] : undefined;
    if (!isObject(cur)) {
      errors.push(`${walked}: ${cur === undefined || cur === null ? 'missing' : 'must be an object'}`);
      return undefined;
    }
  }
  return cur as JsonObject;
}

function templatePaths(kind: string): { spec: string; metadata: string } | undefined {
  if (kind === 'Pod') return { spec: 'spec', metadata: 'metadata' };
  if (kind === 'CronJob')
    return {
      spec: 'spec.jobTemplate.spec.template.spec',
      metadata: 'spec.jobTemplate.spec.template.metadata',
    };
  if (kind === 'PodTemplate') return { spec: 'template.spec', metadata: 'template.metadata' };
  if (TEMPLATE_KINDS.includes(kind))
    return { spec: 'spec.template.spec', metadata: 'spec.template.metadata' };
  if (kind === 'EphemeralContainers') return { spec: '', metadata: 'metadata' };
  return undefined;
}

/**
 * The pod template(s) of a Kubernetes object. Unknown kinds yield no
 * templates and no errors; a malformed object of a known kind yields errors.
 */
export function podSpecsOf(
  object: unknown,
  limits: WorkloadLimits = DEFAULT_WORKLOAD_LIMITS,
): PodSpecsResult {
  const errors: string[] = [];
  if (!isObject(object)) return { templates: [], errors: ['object: must be a JSON object'] };
  if (typeof object.kind !== 'string') return { templates: [], errors: ['kind: must be a string'] };
  const kind = object.kind;
  const paths = templatePaths(kind);
  if (!paths) return { templates: [], errors: [] };
  if (!checkBounds(object, limits, errors)) return { templates: [], errors };
  const meta = metaOf(object.metadata, 'metadata', errors);
  const name = meta && typeof meta.name === 'string' ? meta.name : '';
  const namespace = meta && typeof meta.namespace === 'string' ? meta.namespace : '';
  const spec = paths.spec === '' ? object : at(object, paths.spec, errors);
  if (!spec || !meta) return { templates: [], errors };
  if (paths.spec === '' && !Array.isArray(object.ephemeralContainers)) {
    return { templates: [], errors: ['ephemeralContainers: must be a list'] };
  }
  const templateMeta =
    paths.metadata === 'metadata'
      ? meta
      : metaOf(
          paths.metadata.split('.').reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), object),
          paths.metadata,
          errors,
        );
  if (!templateMeta || !checkPodSpec(spec, paths.spec, limits, errors)) return { templates: [], errors };
  return {
    templates: [
      {
        kind,
        name,
        namespace,
        specPath: paths.spec,
        metadataPath: paths.metadata,
        spec,
        metadata: templateMeta,
      },
    ],
    errors,
  };
}
