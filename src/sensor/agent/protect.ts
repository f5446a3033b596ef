/**
 * Protect mode: the enforcer rule of a protected container from its
 * workload's learned profile, and the alert for a kill the enforcer made.
 *
 * Exec is enforced when every learned executable is an exact path the
 * enforcer can match (no generalised `*` pattern, at most 32); outbound
 * connects when the learned peers fit its allow list (at most 64): a peer
 * learned as a single address (`/32`, `/128`) is allowed exactly, one
 * learned as a wider network is allowed by port only. Unix sockets are never
 * refused. A dimension the profile stopped learning at its cap is not
 * enforced. What is not enforced is said in `problems`.
 */
import type { AllowedPeer, EnforcementEvent, EnforcerRule } from '../bpftrace/index.js';
import type { Alert, ContainerRef, ProcessInfo } from '../model/index.js';
import type { BehaviourProfile } from '../profile/index.js';

const SAFE_PATH = /^\/[\x21-\x7e]{0,198}$/;
const MAX_EXEC = 32;
const MAX_PEERS = 64;

function peersOf(p: BehaviourProfile): AllowedPeer[] | undefined {
  const out = new Map<string, AllowedPeer>();
  for (const c of p.connects) {
    if (c.protocol !== 'tcp' && c.protocol !== 'udp') continue;
    const [addr, len] = c.address.split('/');
    const exact = addr !== undefined && (len === undefined || len === '32' || len === '128');
    const peer: AllowedPeer = exact ? { address: addr, port: c.port } : { port: c.port };
    out.set(JSON.stringify(peer), peer);
  }
  return out.size > MAX_PEERS ? undefined : [...out.values()];
}

/** The enforcer rule for one protected container, or undefined when nothing can be enforced. */
export function enforcerRule(
  cgroupId: string,
  p: BehaviourProfile,
): { rule?: EnforcerRule; problems: string[] } {
  const problems: string[] = [];
  let allowExec: string[] | undefined = p.executables.map((e) => e.path);
  if (p.overflow.includes('executables')) {
    problems.push('executables were learned only up to the cap');
    allowExec = undefined;
  } else if (
    allowExec.length > MAX_EXEC ||
    allowExec.some((x) => x.includes('*') || !SAFE_PATH.test(x) || /["\\]/.test(x))
  ) {
    problems.push('learned executables include patterns or more than 32 paths');
    allowExec = undefined;
  }
  const allowConnect = p.overflow.includes('connects') ? undefined : peersOf(p);
  if (allowConnect === undefined) problems.push('outbound peers exceed what the enforcer can list');
  if (allowExec === undefined && allowConnect === undefined) return { problems };
  if (allowExec !== undefined && allowExec.length === 0) allowExec = undefined;
  return {
    rule: {
      cgroupId,
      ...(allowExec !== undefined ? { allowExec } : {}),
      ...(allowConnect !== undefined ? { allowConnect } : {}),
    },
    problems,
  };
}

/** The alert for a kill by the enforcer. */
export function killAlert(
  ev: EnforcementEvent,
  container: ContainerRef | undefined,
  tree: readonly ProcessInfo[],
  workload: BehaviourProfile | undefined,
): Alert {
  const exec = ev.reason === 'exec';
  const self: ProcessInfo = {
    pid: ev.pid,
    ppid: 0,
    uid: ev.uid,
    exe: ev.exe ?? '',
    argv: [],
    comm: ev.comm,
    time: ev.time,
  };
  const evidence: Record<string, string | number | boolean> = { reason: ev.reason, mode: 'protect' };
  if (exec && ev.exe !== undefined) evidence.exe = ev.exe;
  if (!exec) {
    if (ev.address !== undefined) evidence.address = ev.address;
    if (ev.port !== undefined) evidence.port = ev.port;
    if (ev.family !== undefined) evidence.family = ev.family;
  }
  if (workload) {
    evidence.workload = workload.name;
    evidence.workloadId = workload.id;
  }
  return {
    kind: 'alert',
    time: ev.time,
    rule: exec ? 'MP001' : 'MP002',
    severity: 'high',
    title: exec
      ? `Process killed: unexpected executable ${ev.exe ?? ''}`.trim()
      : `Process killed: unexpected outbound connection to ${ev.address ?? '?'}:${ev.port ?? '?'}`,
    ...(container ? { container } : {}),
    processTree: tree[0]?.pid === ev.pid ? tree : [self, ...tree.filter((t) => t.pid !== ev.pid)],
    evidence,
    action: 'killed',
  };
}
