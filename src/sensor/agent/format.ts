/**
 * One table row per stream record for `mamori events -f table`: time,
 * severity, rule (or event kind), container or pod, process, evidence
 * summary. Every cell is one line of printable text, bounded.
 */
import type { ProcessInfo } from '../model/index.js';
import type { StreamRecord } from './types.js';

export const TABLE_HEADER = ['TIME', 'SEVERITY', 'RULE', 'CONTAINER', 'PROCESS', 'EVIDENCE'] as const;
const WIDTHS = [23, 8, 7, 24, 40];

/** Printable, one line, at most `max` characters. */
export function cell(v: unknown, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const s = String(v ?? '').replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, ' ');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function time(ms: number): string {
  const d = new Date(ms);
  return Number.isFinite(d.getTime()) ? d.toISOString().replace('T', ' ').slice(0, 23) : '-';
}

/** Fields of a record read from a file may have any type: arrays are checked before use. */
const words = (v: unknown): string => (Array.isArray(v) ? v.slice(0, 64).map(String).join(' ') : '');

function proc(p: ProcessInfo | undefined): string {
  if (typeof p !== 'object' || p === null) return '-';
  const argv = words(p.argv);
  return `${String(p.pid)} ${argv !== '' ? argv : String(p.exe ?? p.comm)}`;
}

function evidence(e: Readonly<Record<string, unknown>>): string {
  return Object.entries(e ?? {})
    .filter(([k]) => k !== 'workloadId')
    .slice(0, 8)
    .map(([k, v]) => `${k}=${cell(v, 60)}`)
    .join(' ');
}

/** The cells of one record. */
export function tableRow(r: StreamRecord): string[] {
  if (r.kind === 'drop')
    return [
      time(r.time),
      '-',
      'drop',
      '-',
      '-',
      `source=${cell(r.source, 40)} count=${r.count} total=${r.total}`,
    ];
  const c = r.container;
  const where = c ? (c.pod ? `${String(c.pod.namespace)}/${String(c.pod.name)}` : c.id.slice(0, 24)) : 'host';
  if (r.kind === 'alert') {
    const ev = evidence(r.evidence);
    return [
      time(r.time),
      r.severity,
      r.rule,
      where,
      proc(r.processTree[0]),
      `${r.action === 'killed' ? 'KILLED ' : ''}${ev}`,
    ];
  }
  return [
    time(r.time),
    '-',
    r.kind,
    where,
    `${String(r.pid)} ${r.kind === 'exec' ? words(r.argv) : String(r.comm)}`,
    detail(r),
  ];
}

function detail(r: Exclude<StreamRecord, { kind: 'alert' | 'drop' }>): string {
  switch (r.kind) {
    case 'exec':
      return `exe=${String(r.exe)}`;
    case 'connect':
    case 'accept':
      return `${String(r.protocol)} ${String(r.address)}:${String(r.port)}`;
    case 'open':
      return `${r.write === true ? 'write' : 'read'} ${String(r.path)}`;
    case 'syscall':
      return String(r.syscall);
    case 'syscalls':
      return words(r.syscalls);
    default:
      return `exit=${String(r.exitCode)}`;
  }
}

/** Rows padded into columns (the last one unpadded). */
export function formatTable(rows: readonly (readonly string[])[]): string {
  return rows
    .map((row) =>
      row
        .map((v, i) => {
          const s = cell(v, i < WIDTHS.length ? (WIDTHS[i] ?? 40) : 400);
          return i < WIDTHS.length ? s.padEnd(WIDTHS[i] ?? 0) : s;
        })
        .join(' '),
    )
    .join('\n');
}
