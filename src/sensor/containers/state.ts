/**
 * runc's state directory (`<root>/<id>/state.json`, written by runc and by
 * the runc shims of containerd, CRI-O and Docker) and the bundle's
 * config.json. Both are read bounded; a document that is too large, not
 * JSON, or has fields of the wrong type loses those fields, and the reason
 * is reported through `problem` — never an exception.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { readBounded, type ReadFailure } from './fsread.js';
import { isContainerId } from './paths.js';

export interface RuntimeState {
  readonly root: string;
  readonly id: string;
  readonly bundle?: string;
  readonly rootfs?: string;
  /** The container's unified cgroup as runc recorded it (absolute host path, `cgroup_paths[""]`). */
  readonly cgroupPath?: string;
  /** Init pid as recorded (may have exited since). */
  readonly pid?: number;
  /** Start time of init in clock ticks since boot (field 22 of /proc/PID/stat), to detect pid reuse. */
  readonly pidStart?: string;
  /** config.json annotations, or runc's copy of them in state.json (`labels`). */
  readonly annotations: Readonly<Record<string, string>>;
}

export interface StateLimits {
  /** Largest state.json / config.json read (default 4 MiB; runc writes a few KiB). */
  readonly maxBytes: number;
}

const MAX_ANNOTATIONS = 512;
const MAX_KEY = 253;
const MAX_VALUE = 8192;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function absPath(v: unknown): string | undefined {
  return typeof v === 'string' && v.startsWith('/') && v.length <= 4096 && !v.includes('\0') ? v : undefined;
}

function describe(f: ReadFailure, path: string, max: number): string {
  if (f === 'too-large') return `${path} is larger than ${max} bytes; ignored`;
  return `${path} could not be read; ignored`;
}

async function readJson(
  path: string,
  max: number,
  problem: (m: string) => void,
): Promise<Record<string, unknown> | undefined> {
  const buf = await readBounded(path, max, true);
  if (typeof buf === 'string') {
    if (buf !== 'missing') problem(describe(buf, path, max));
    return undefined;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(buf.toString('utf8'));
  } catch {
    problem(`${path} is not JSON; ignored`);
    return undefined;
  }
  if (!isObject(doc)) {
    problem(`${path} is not a JSON object; ignored`);
    return undefined;
  }
  return doc;
}

function addAnnotation(out: Record<string, string>, k: string, v: unknown): void {
  if (Object.keys(out).length >= MAX_ANNOTATIONS) return;
  if (typeof v !== 'string' || k === '' || k.length > MAX_KEY || v.length > MAX_VALUE) return;
  if (k === '__proto__') return;
  out[k] = v;
}

/** runc stores annotations as `key=value` strings in config.labels, plus `bundle=<path>`. */
function fromLabels(labels: unknown): { annotations: Record<string, string>; bundle?: string } {
  const annotations: Record<string, string> = {};
  let bundle: string | undefined;
  if (!Array.isArray(labels)) return { annotations };
  for (const l of labels.slice(0, MAX_ANNOTATIONS * 2)) {
    if (typeof l !== 'string') continue;
    const eq = l.indexOf('=');
    if (eq <= 0) continue;
    const k = l.slice(0, eq);
    const v = l.slice(eq + 1);
    if (k === 'bundle') bundle = absPath(v);
    else addAnnotation(annotations, k, v);
  }
  return bundle ? { annotations, bundle } : { annotations };
}

/** The config.json annotations of a bundle, or undefined when unreadable. */
export async function readBundleAnnotations(
  bundle: string,
  limits: StateLimits,
  problem: (m: string) => void,
): Promise<Record<string, string> | undefined> {
  const doc = await readJson(join(bundle, 'config.json'), limits.maxBytes, problem);
  if (!doc) return undefined;
  if (doc.annotations === undefined) return {};
  if (!isObject(doc.annotations)) {
    problem(`${bundle}/config.json: annotations is not an object; ignored`);
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.annotations)) addAnnotation(out, k, v);
  return out;
}

/**
 * The state of container `id` under runc root `root`: undefined when the
 * root has no directory for it; a state with only `root` and `id` when the
 * directory exists but state.json is unusable.
 */
export async function readRuntimeState(
  root: string,
  id: string,
  limits: StateLimits,
  problem: (m: string) => void,
): Promise<RuntimeState | undefined> {
  if (!isContainerId(id)) return undefined;
  const path = join(root, id, 'state.json');
  const dir = await lstat(join(root, id)).catch(() => undefined);
  if (!dir?.isDirectory()) return undefined;
  const doc = await readJson(path, limits.maxBytes, problem);
  if (!doc) return { root, id, annotations: {} };
  const config = isObject(doc.config) ? doc.config : {};
  const labels = fromLabels(config.labels);
  const pid = doc.init_process_pid;
  const start = doc.init_process_start;
  let annotations = labels.annotations;
  if (labels.bundle)
    annotations = (await readBundleAnnotations(labels.bundle, limits, problem)) ?? annotations;
  const rootfs = absPath(config.rootfs);
  const cgroupPath = isObject(doc.cgroup_paths) ? absPath(doc.cgroup_paths['']) : undefined;
  return {
    root,
    id,
    annotations,
    ...(labels.bundle ? { bundle: labels.bundle } : {}),
    ...(rootfs ? { rootfs } : {}),
    ...(cgroupPath ? { cgroupPath } : {}),
    ...(typeof pid === 'number' && Number.isSafeInteger(pid) && pid > 0 ? { pid } : {}),
    ...((typeof start === 'number' && Number.isSafeInteger(start)) ||
    (typeof start === 'string' && /^\d{1,20}$/.test(start))
      ? { pidStart: String(start) }
      : {}),
  };
}
