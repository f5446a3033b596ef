/**
 * RFC 5424 formatting of audit events:
 *
 *   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [mamori@32473 k="v" …] MSG
 *
 * PRI = facility × 8 + severity, severity from the result (denied →
 * warning, failure → error, success → notice). MSGID is the action. The
 * structured-data element `mamori@32473` (32473 is the enterprise number
 * RFC 5612 sets aside for documentation and examples) carries every field;
 * PARAM-VALUE escapes `"`, `\` and `]` with a backslash (RFC 5424 §6.3.3).
 * Header fields are PRINTUSASCII, capped at the RFC's lengths, NILVALUE `-`
 * when empty. MSG is a one-line summary; when it holds non-ASCII text it
 * starts with the UTF-8 BOM, as RFC 5424 §6.4 asks. No field can contain
 * a line break, so messages may be written one per line or framed by octet
 * counting (RFC 6587) for TCP.
 */
import { hostname as osHostname } from 'node:os';
import { MamoriError } from '../../core/index.js';
import type { AuditEvent } from './event.js';

export const FACILITIES = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  audit: 13,
  alert: 14,
  clock: 15,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
} as const;

export type FacilityName = keyof typeof FACILITIES;

export interface SyslogOptions {
  /** Default: this machine's host name. */
  readonly hostname?: string;
  /** Default `mamori`. */
  readonly appName?: string;
  /** A name or 0…23; default `authpriv` (security/authorization messages). */
  readonly facility?: FacilityName | number;
  /** Default NILVALUE. */
  readonly procId?: string | number;
}

/** SD-ID of mamori's structured-data element. */
export const SD_ID = 'mamori@32473';

const SEVERITY = { denied: 4, failure: 3, success: 5 } as const;

export function facilityCode(f: FacilityName | number | undefined): number {
  if (f === undefined) return FACILITIES.authpriv;
  if (typeof f === 'number' && Number.isInteger(f) && f >= 0 && f <= 23) return f;
  if (typeof f === 'string' && Object.hasOwn(FACILITIES, f)) return FACILITIES[f];
  throw new MamoriError('INVALID_ARGUMENT', `syslog facility must be 0…23 or a name, got ${String(f)}`);
}

/** A header field: PRINTUSASCII only, at most `max` characters, `-` when empty. */
function headerField(v: string | number | undefined, max: number): string {
  const s = String(v ?? '')
    .replace(/[^\x21-\x7e]/g, '_')
    .slice(0, max);
  return s === '' ? '-' : s;
}

/** Line breaks and other controls out, for values that did not come through the log. */
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, (c) => {
    const cp = c.codePointAt(0) ?? 0;
    return cp > 0xff ? `\\u${cp.toString(16)}` : `\\x${cp.toString(16).padStart(2, '0')}`;
  });
}

/** PARAM-VALUE escaping (RFC 5424 §6.3.3). */
export function escapeParamValue(v: string): string {
  return oneLine(v).replace(/["\\\]]/g, (c) => `\\${c}`);
}

function timestamp(ms: number): string {
  const d = new Date(ms);
  if (!Number.isFinite(d.getTime())) return '-';
  const iso = d.toISOString();
  // Years beyond 9999 have no RFC 3339 form.
  return /^\d{4}-/.test(iso) ? iso : '-';
}

function summary(e: AuditEvent): string {
  const r = e.resource;
  let target = r.repository ?? r.project ?? '';
  if (r.repository !== undefined && r.reference !== undefined) {
    target += (r.reference.includes(':') ? '@' : ':') + r.reference;
  } else if (target === '' && r.digest !== undefined) {
    target = r.digest;
  }
  const parts = [e.actor, e.action, target, e.result].filter((p) => p !== '');
  return oneLine(parts.join(' ') + (e.detail ? `: ${e.detail}` : ''));
}

/** One RFC 5424 message (no trailing newline). */
export function toSyslog(event: AuditEvent, options: SyslogOptions = {}): string {
  const pri = facilityCode(options.facility) * 8 + (SEVERITY[event.result] ?? 5);
  const params: [string, string | number | undefined][] = [
    ['id', event.id],
    ['actor', event.actor],
    ['actorKind', event.actorKind],
    ['remote', event.remote || undefined],
    ['result', event.result],
    ['project', event.resource.project],
    ['repository', event.resource.repository],
    ['reference', event.resource.reference],
    ['digest', event.resource.digest],
    ['detail', event.detail],
  ];
  const sd = params
    .filter((p): p is [string, string | number] => p[1] !== undefined)
    .map(([k, v]) => `${k}="${escapeParamValue(String(v))}"`)
    .join(' ');
  const msg = summary(event);
  const header = [
    `<${pri}>1`,
    timestamp(event.time),
    headerField(options.hostname ?? osHostname(), 255),
    headerField(options.appName ?? 'mamori', 48),
    headerField(options.procId, 128),
    headerField(event.action, 32),
  ].join(' ');
  // eslint-disable-next-line no-control-regex
  const bom = /[^\x00-\x7f]/.test(msg) ? '\ufeff' : '';
  return `${header} [${SD_ID} ${sd}] ${bom}${msg}`;
}
