/** The per-event view rules share: facts computed at most once per event. */
import { posix } from 'node:path';
import type { ProcessInfo } from '../model/index.js';
import { invocations } from './names.js';
import type { DetectableEvent, DetectContext, Invocation, MatchContext } from './types.js';

/** The ProcessInfo of the program an exec event starts. */
export function execProcess(event: DetectableEvent & { kind: 'exec' }): ProcessInfo {
  return {
    pid: event.pid,
    ppid: event.ppid,
    uid: event.uid,
    exe: event.exe,
    argv: event.argv,
    comm: event.comm,
    ...(event.sha256 !== undefined ? { sha256: event.sha256 } : {}),
    time: event.time,
  };
}

function lazy<T>(f: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = f();
      done = true;
    }
    return value;
  };
}

/** Processes of the tree looked at, at most. */
const MAX_TREE = 16;

/** `/etc//x/../shadow` → `/etc/shadow`; relative paths stay as they are. */
export function normalPath(p: string): string {
  return p.startsWith('/') ? posix.normalize(p) : p;
}

const invocationsOf = (p: ProcessInfo | undefined): Invocation[] =>
  p === undefined ? [] : invocations(p.exe, p.argv);

export function matchContext(event: DetectableEvent, context: DetectContext): MatchContext {
  const tree = context.processTree;
  const byPid = (pid: number | undefined): ProcessInfo | undefined =>
    pid === undefined ? undefined : tree.find((p) => p.pid === pid);
  const self = lazy(() => (event.kind === 'exec' ? execProcess(event) : byPid(event.pid)));
  const parent = lazy(() => byPid(event.kind === 'exec' ? event.ppid : self()?.ppid));
  return {
    container: context.container ?? event.container,
    processTree: tree,
    runtimeSetup: context.runtimeSetup === true,
    self,
    parent,
    invocations: lazy(() => invocationsOf(self())),
    parentInvocations: lazy(() => invocationsOf(parent())),
    treeInvocations: lazy(() => [
      invocationsOf(self()),
      ...tree.slice(0, MAX_TREE).map((p) => invocationsOf(p)),
    ]),
    path: lazy(() => {
      const raw =
        event.kind === 'open'
          ? event.path
          : (event.kind === 'connect' || event.kind === 'accept') && event.family === 'unix'
            ? event.address
            : undefined;
      return raw === undefined ? undefined : normalPath(raw);
    }),
  };
}
