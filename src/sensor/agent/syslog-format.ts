/**
 * RFC 5424 messages for the sensor's alerts and drop summaries, in the same
 * shape as the registry's audit messages (same SD-ID `mamori@32473`, same
 * PARAM-VALUE escaping):
 *
 *   <PRI>1 TIMESTAMP HOSTNAME mamori-sensor - alert [mamori@32473 rule="MR001" …] Shell spawned…
 *
 * PRI = facility (default authpriv) × 8 + severity: critical → 2, high → 3,
 * medium → 4, low → 5, info → 6; drops are warnings (4).
 */
import { hostname as osHostname } from 'node:os';
import { SD_ID, escapeParamValue } from '../../registry/audit/index.js';
import type { Alert } from '../model/index.js';
import type { DropRecord } from './types.js';

const SEVERITY: Record<Alert['severity'], number> = { critical: 2, high: 3, medium: 4, low: 5, info: 6 };
const AUTHPRIV = 10;
const MAX_PARAMS = 40;
const MAX_VALUE = 1024;

export interface SensorSyslogOptions {
  readonly hostname?: string;
  /** Default `mamori-sensor`. */
  readonly appName?: string;
  /** 0…23; default 10 (authpriv). */
  readonly facility?: number;
}

function headerField(v: string | number | undefined, max: number): string {
  const s = String(v ?? '')
    .replace(/[^\x21-\x7e]/g, '_')
    .slice(0, max);
  return s === '' ? '-' : s;
}

/** An SD-NAME: printable ASCII without `=`, space, `]`, `"`; at most 32 characters. */
function paramName(k: string): string {
  return k.replace(/[^\x21-\x7e]|[= \]"]/g, '_').slice(0, 32) || '_';
}

function timestamp(ms: number): string {
  const d = new Date(ms);
  const iso = Number.isFinite(d.getTime()) ? d.toISOString() : '';
  return /^\d{4}-/.test(iso) ? iso : '-';
}

function oneLine(s: string): string {
  return escapeParamValue(s).replace(/\\(["\]\\])/g, '$1');
}

function message(
  pri: number,
  time: number,
  msgid: string,
  params: [string, string | number | boolean | undefined][],
  msg: string,
  o: SensorSyslogOptions,
): string {
  const sd = params
    .filter((p): p is [string, string | number | boolean] => p[1] !== undefined)
    .slice(0, MAX_PARAMS)
    .map(([k, v]) => `${paramName(k)}="${escapeParamValue(String(v).slice(0, MAX_VALUE))}"`)
    .join(' ');
  const header = [
    `<${pri}>1`,
    timestamp(time),
    headerField(o.hostname ?? osHostname(), 255),
    headerField(o.appName ?? 'mamori-sensor', 48),
    '-',
    msgid,
  ].join(' ');
  const text = oneLine(msg);
  // eslint-disable-next-line no-control-regex
  const bom = /[^\x00-\x7f]/.test(text) ? '\ufeff' : '';
  return `${header} [${SD_ID} ${sd}] ${bom}${text}`;
}

function facility(o: SensorSyslogOptions): number {
  const f = o.facility;
  return f !== undefined && Number.isInteger(f) && f >= 0 && f <= 23 ? f : AUTHPRIV;
}

/** One RFC 5424 message for an alert (no trailing newline). */
export function alertToSyslog(a: Alert, o: SensorSyslogOptions = {}): string {
  const p = a.processTree[0];
  const c = a.container;
  const params: [string, string | number | boolean | undefined][] = [
    ['rule', a.rule],
    ['severity', a.severity],
    ['action', a.action],
    ['container', c?.id],
    ['image', c?.imageDigest ?? c?.image],
    ['pod', c?.pod?.name],
    ['namespace', c?.pod?.namespace],
    ['pid', p?.pid],
    ['exe', p?.exe],
    ['argv', p?.argv.join(' ')],
    ...Object.entries(a.evidence).map(([k, v]): [string, string | number | boolean] => [`ev.${k}`, v]),
  ];
  const where = c ? ` in ${c.pod ? `${c.pod.namespace}/${c.pod.name}` : c.id.slice(0, 12)}` : '';
  return message(
    facility(o) * 8 + SEVERITY[a.severity],
    a.time,
    'alert',
    params,
    `${a.rule} ${a.title}${where}`,
    o,
  );
}

/** One RFC 5424 message for a drop summary. */
export function dropToSyslog(d: DropRecord, o: SensorSyslogOptions = {}): string {
  return message(
    facility(o) * 8 + 4,
    d.time,
    'drop',
    [
      ['source', d.source],
      ['count', d.count],
      ['total', d.total],
    ],
    `${d.count} events lost (${d.source}), ${d.total} in total`,
    o,
  );
}
