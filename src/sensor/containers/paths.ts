/**
 * Container ids from cgroup v2 paths, as the runtimes lay them out:
 *
 *   Docker, systemd driver     /system.slice/docker-<64hex>.scope
 *   Docker, cgroupfs driver    /docker/<64hex>
 *   containerd CRI, systemd    /kubepods.slice/kubepods-besteffort.slice/
 *                              kubepods-besteffort-pod<uid_with_underscores>.slice/cri-containerd-<64hex>.scope
 *   CRI-O, systemd             …/kubepods-burstable-pod<uid>.slice/crio-<64hex>.scope
 *   podman                     /machine.slice/libpod-<64hex>.scope
 *   Kubernetes, cgroupfs       /kubepods/burstable/pod<uid>/<64hex>   (runtime from the state directory)
 *   plain runc, cgroupfs       /<any>/<id>                            (only with a state directory naming <id>)
 *
 * A container may have cgroups of its own below its cgroup (systemd inside,
 * `init.scope`), so every component is tried from the deepest up. Helper
 * cgroups of the runtimes (`crio-conmon-<id>.scope`) are not containers.
 */
import type { ContainerRef } from '../model/index.js';

export type Runtime = ContainerRef['runtime'];

/** What a cgroup path says about the container in it. */
export interface CgroupMatch {
  readonly id: string;
  /** `unknown` when the path names a container but not the runtime (Kubernetes with cgroupfs). */
  readonly runtime: Runtime;
  /** The path up to and including the container's component. */
  readonly cgroup: string;
  /** Kubernetes pod uid from a `pod<uid>` component. */
  readonly podUid?: string;
}

/** runc's rule for container ids; also keeps ids safe to join onto a state directory. */
const ID = /^[A-Za-z0-9][A-Za-z0-9_+.-]{0,1023}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const SCOPES: readonly [RegExp, Runtime][] = [
  [/^docker-([0-9a-f]{64})\.scope$/, 'docker'],
  [/^cri-containerd-([0-9a-f]{64})\.scope$/, 'containerd'],
  [/^crio-([0-9a-f]{64})\.scope$/, 'cri-o'],
  [/^libpod-([0-9a-f]{64})\.scope$/, 'unknown'],
];
const POD = /^(?:kubepods-(?:[a-z]+-)?pod([0-9a-f_-]{1,64})\.slice|pod([0-9a-f-]{1,64}))$/;

/** True for a string runc would accept as a container id (and that cannot escape a directory). */
export function isContainerId(s: string): boolean {
  return ID.test(s) && s !== '.' && s !== '..';
}

function podUid(parts: readonly string[]): string | undefined {
  for (const p of parts) {
    const m = POD.exec(p);
    if (m) return (m[1] ?? m[2] ?? '').replaceAll('_', '-');
  }
  return undefined;
}

/** The container a cgroup path names by a runtime's pattern, or undefined. */
export function matchCgroupPath(path: string): CgroupMatch | undefined {
  if (!path.startsWith('/') || path.length > 4096) return undefined;
  const parts = path.split('/').filter((p) => p !== '');
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i] ?? '';
    const cgroup = `/${parts.slice(0, i + 1).join('/')}`;
    for (const [re, runtime] of SCOPES) {
      const m = re.exec(p);
      if (m?.[1]) return withPod({ id: m[1], runtime, cgroup }, parts.slice(0, i));
    }
    const parent = parts[i - 1];
    if (HEX64.test(p) && parent !== undefined && (parent === 'docker' || POD.test(parent))) {
      const runtime: Runtime = parent === 'docker' ? 'docker' : 'unknown';
      return withPod({ id: p, runtime, cgroup }, parts.slice(0, i));
    }
  }
  return undefined;
}

function withPod(m: CgroupMatch, above: readonly string[]): CgroupMatch {
  const uid = podUid(above);
  return uid ? { ...m, podUid: uid } : m;
}

/**
 * Candidates for a plain runc container: the deepest `depth` components that
 * are valid ids, deepest first, each with its cgroup path.
 */
export function candidateIds(path: string, depth = 3): { id: string; cgroup: string }[] {
  if (!path.startsWith('/') || path.length > 4096) return [];
  const parts = path.split('/').filter((p) => p !== '');
  const out: { id: string; cgroup: string }[] = [];
  for (let i = parts.length - 1; i >= 0 && out.length < depth; i--) {
    const p = parts[i] ?? '';
    if (isContainerId(p)) out.push({ id: p, cgroup: `/${parts.slice(0, i + 1).join('/')}` });
  }
  return out;
}
