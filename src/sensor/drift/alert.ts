import type { Alert, ContainerRef, ExecEvent, ProcessInfo } from '../model/index.js';
import type { DriftResult } from './types.js';

/** Stable rule ids of drift detection. */
export const DRIFT_RULES = {
  notInImage: 'MD001',
  modified: 'MD002',
} as const;

export interface DriftAlertContext {
  /** Alert time; default the event's. */
  readonly time?: number;
  /** Default the event's container. */
  readonly container?: ContainerRef;
  /** The process, then its ancestors; default the process built from the event alone. */
  readonly processTree?: readonly ProcessInfo[];
  /** The image the container runs (reference or digest), for the evidence. */
  readonly image?: string;
  readonly action?: 'killed' | 'none';
}

function processOf(e: ExecEvent): ProcessInfo {
  return {
    pid: e.pid,
    ppid: e.ppid,
    uid: e.uid,
    exe: e.exe,
    argv: e.argv,
    comm: e.comm,
    ...(e.sha256 !== undefined ? { sha256: e.sha256 } : {}),
    time: e.time,
  };
}

/**
 * The alert for a drift check: MD001 when the executable is not in the
 * image, MD002 when it differs from the image's; undefined for `in-image`
 * and `unknown` (nothing to report).
 */
export function driftAlert(
  result: DriftResult,
  event: ExecEvent,
  context: DriftAlertContext = {},
): Alert | undefined {
  if (result.status !== 'not-in-image' && result.status !== 'modified') return undefined;
  const missing = result.status === 'not-in-image';
  const evidence: Record<string, string | number | boolean> = { path: event.exe };
  if (result.path !== undefined && result.path !== event.exe) evidence.resolvedPath = result.path;
  if (event.sha256 !== undefined) evidence.sha256 = event.sha256;
  if (result.expected !== undefined) evidence.expectedSha256 = result.expected;
  if (result.layer !== undefined) evidence.layer = result.layer;
  if (result.layerDigest !== undefined) evidence.layerDigest = result.layerDigest;
  const image = context.image ?? event.container?.imageDigest ?? event.container?.image;
  if (image !== undefined) evidence.image = image;
  const container = context.container ?? event.container;
  return {
    kind: 'alert',
    time: context.time ?? event.time,
    rule: missing ? DRIFT_RULES.notInImage : DRIFT_RULES.modified,
    severity: 'high',
    title: missing
      ? `Executable not in the image was run: ${event.exe}`
      : `Executable differs from the image's: ${event.exe}`,
    ...(container ? { container } : {}),
    processTree: context.processTree ?? [processOf(event)],
    evidence,
    ...(context.action ? { action: context.action } : {}),
  };
}
