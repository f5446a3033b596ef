/**
 * Deviation alerts (stable ids MP001–MP006) and the protect-mode decision.
 * The profile layer never kills anything itself: in protect mode it marks the
 * alert (`evidence.mode = 'protect'`) and `shouldKill` tells the enforcer
 * which deviations it acts on; the enforcer sets `action: 'killed'`.
 */
import type { Alert, AlertSeverity, ContainerRef, ProcessInfo } from '../model/index.js';
import type { Fact } from './facts.js';
import type { Dimension, ProfileMode } from './types.js';

export interface DeviationRule {
  readonly rule: string;
  readonly severity: AlertSeverity;
  readonly title: string;
}

export const DEVIATION_RULES: Readonly<Record<Dimension, DeviationRule>> = {
  executables: { rule: 'MP001', severity: 'high', title: 'Unexpected executable for this workload' },
  connects: { rule: 'MP002', severity: 'high', title: 'Unexpected outbound connection for this workload' },
  listens: { rule: 'MP003', severity: 'medium', title: 'Unexpected listening port or accepted connection' },
  writes: { rule: 'MP004', severity: 'medium', title: 'Unexpected write path for this workload' },
  syscalls: { rule: 'MP005', severity: 'medium', title: 'Unexpected syscall for this workload' },
  reads: { rule: 'MP006', severity: 'high', title: 'Unexpected sensitive file read for this workload' },
};

/** Deviations protect mode acts on: an unexpected executable (MP001) and an unexpected outbound connection (MP002). */
export const PROTECT_RULES: readonly string[] = ['MP001', 'MP002'];

/** Whether the enforcer should kill the offending process for this alert. */
export function shouldKill(alert: Alert): boolean {
  return alert.evidence.mode === 'protect' && PROTECT_RULES.includes(alert.rule);
}

export interface WorkloadInfo {
  readonly id: string;
  readonly name: string;
  readonly mode: ProfileMode;
}

/** One alert for a group of facts of the same dimension from one event. */
export function deviationAlert(
  facts: readonly Fact[],
  workload: WorkloadInfo,
  container: ContainerRef,
  processTree: readonly ProcessInfo[],
  time: number,
  extra: Readonly<Record<string, string>> = {},
): Alert | undefined {
  const first = facts[0];
  if (first === undefined) return undefined;
  const r = DEVIATION_RULES[first.dimension];
  const evidence: Record<string, string | number | boolean> = {
    ...first.evidence,
    workload: workload.name,
    workloadId: workload.id,
    mode: workload.mode,
    dimension: first.dimension,
    ...extra,
  };
  if (first.dimension === 'syscalls')
    evidence.syscall = facts
      .map((f) => f.key)
      .sort()
      .join(',');
  if (first.dimension === 'executables' && first.sha256 !== undefined) evidence.sha256 = first.sha256;
  return {
    kind: 'alert',
    time,
    rule: r.rule,
    severity: r.severity,
    title: r.title,
    container,
    processTree: [...processTree],
    evidence,
    ...(workload.mode === 'monitor' ? { action: 'none' as const } : {}),
  };
}
