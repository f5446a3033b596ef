/** The sensor's one-line status (events/s, drops, alerts). */
import type { BehaviourProfile } from '../profile/index.js';
import type { AgentStats } from './types.js';

/** `12.3 events/s, drops 0, alerts 2 (high 1, medium 1), containers 1, enforced 0`. */
export function statusLine(now: AgentStats, before: AgentStats | undefined, seconds: number): string {
  const sum = (r: Readonly<Record<string, number>>): number => Object.values(r).reduce((a, b) => a + b, 0);
  const rate = (sum(now.events) - (before ? sum(before.events) : 0)) / Math.max(seconds, 0.001);
  const detail = (r: Readonly<Record<string, number>>): string => {
    const parts = Object.entries(r).filter(([, n]) => n > 0);
    return parts.length ? ` (${parts.map(([k, n]) => `${k} ${n}`).join(', ')})` : '';
  };
  return (
    `mamori sensor: ${rate.toFixed(1)} events/s${now.execRepeats > 0 ? ` (${now.execRepeats} execs compacted)` : ''}, drops ${sum(now.drops)}${detail(now.drops)}, ` +
    `alerts ${sum(now.alertsBySeverity)}${detail(now.alertsBySeverity)}, containers ${now.containers}, enforced ${now.enforced}`
  );
}

/** The workloads of a profile store as an aligned table (`mamori profile list`). */
export function formatProfileTable(profiles: readonly BehaviourProfile[]): string {
  const rows = profiles.map((p) => [
    p.name,
    p.mode,
    p.image.slice(0, 40),
    String(p.executables.length),
    String(p.connects.length),
    String(p.listens.length),
    String(p.writes.length),
    String(p.syscalls.length),
    new Date(p.lastChangeAt).toISOString().slice(0, 19),
  ]);
  const all = [
    ['WORKLOAD', 'MODE', 'IMAGE', 'EXECS', 'PEERS', 'PORTS', 'WRITES', 'SYSCALLS', 'LAST-LEARNED'],
    ...rows,
  ];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return (
    all
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
