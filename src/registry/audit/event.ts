/**
 * The audit event: what callers pass to `record` and what `query` returns,
 * and the validation between the two. Enumerations and the action grammar
 * are checked (a wrong value is a bug in the caller: MamoriError
 * INVALID_ARGUMENT); free-text fields are escaped and capped (see text.ts),
 * never refused, so a hostile repository name or user name cannot keep an
 * event out of the log.
 */
import { MamoriError } from '../../core/index.js';
import { boundText } from './text.js';

export const ACTOR_KINDS = ['user', 'robot', 'anonymous', 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export const RESULTS = ['success', 'denied', 'failure'] as const;
export type AuditResult = (typeof RESULTS)[number];

/**
 * An action is an open set (`push`, `pull`, `delete`, `login`, `policy.deny`,
 * `scan`, `project.create`, …) with this grammar.
 */
export const ACTION_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;

/** Caps of the free-text fields, in UTF-16 code units (truncation marker included). */
export const AUDIT_LIMITS = {
  actor: 256,
  remote: 64,
  repository: 256,
  reference: 256,
  digest: 160,
  project: 256,
  detail: 1024,
} as const;

export interface AuditResource {
  readonly repository?: string;
  /** The tag or digest the request named. */
  readonly reference?: string;
  readonly digest?: string;
  readonly project?: string;
}

/** What a caller records. */
export interface AuditEntry {
  /** The user or robot name; absent for an anonymous caller. */
  readonly actor?: string;
  /** Defaults to `anonymous` without an actor, `user` with one. */
  readonly actorKind?: ActorKind;
  /** The client's IP address. */
  readonly remote?: string;
  readonly action: string;
  readonly resource?: AuditResource;
  readonly result: AuditResult;
  /** A short explanation (a denial's reason, an error message). */
  readonly detail?: string;
  /** ms since the epoch; defaults to the log's clock. */
  readonly time?: number;
}

/** A stored event. */
export interface AuditEvent {
  readonly id: number;
  readonly time: number;
  readonly actor: string;
  readonly actorKind: ActorKind;
  readonly remote: string;
  readonly action: string;
  readonly resource: AuditResource;
  readonly result: AuditResult;
  readonly detail?: string;
}

/** An event ready to insert: everything but the id. */
export type NormalizedEntry = Omit<AuditEvent, 'id'>;

function bad(message: string): MamoriError {
  return new MamoriError('INVALID_ARGUMENT', `audit event: ${message}`);
}

function optionalText(v: unknown, field: keyof typeof AUDIT_LIMITS): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw bad(`${field} must be a string`);
  return v === '' ? undefined : boundText(v, AUDIT_LIMITS[field]);
}

export function isActorKind(v: unknown): v is ActorKind {
  return typeof v === 'string' && (ACTOR_KINDS as readonly string[]).includes(v);
}

export function isResult(v: unknown): v is AuditResult {
  return typeof v === 'string' && (RESULTS as readonly string[]).includes(v);
}

export function isAction(v: unknown): v is string {
  return typeof v === 'string' && ACTION_PATTERN.test(v);
}

/** Validates and bounds an entry; `now` supplies the time when the entry has none. */
export function normalizeEntry(entry: unknown, now: () => number): NormalizedEntry {
  if (typeof entry !== 'object' || entry === null) throw bad('must be an object');
  const e = entry as Record<string, unknown>;
  if (!isAction(e.action)) {
    throw bad(
      `action must match ${String(ACTION_PATTERN)}, got ${JSON.stringify(boundText(String(e.action), 80))}`,
    );
  }
  if (!isResult(e.result)) throw bad(`result must be one of ${RESULTS.join(', ')}`);
  if (e.actorKind !== undefined && !isActorKind(e.actorKind)) {
    throw bad(`actorKind must be one of ${ACTOR_KINDS.join(', ')}`);
  }
  const actor = optionalText(e.actor, 'actor');
  const actorKind: ActorKind = (e.actorKind as ActorKind | undefined) ?? (actor ? 'user' : 'anonymous');
  let time: number;
  if (e.time === undefined) time = now();
  else if (typeof e.time === 'number' && Number.isSafeInteger(e.time) && e.time >= 0) time = e.time;
  else throw bad('time must be a non-negative integer of ms since the epoch');
  // Normally an IP address from the socket; whatever else arrives is escaped and capped.
  const remote = optionalText(e.remote, 'remote') ?? '';
  let resource: AuditResource = {};
  if (e.resource !== undefined && e.resource !== null) {
    if (typeof e.resource !== 'object') throw bad('resource must be an object');
    const r = e.resource as Record<string, unknown>;
    resource = dropUndefined({
      repository: optionalText(r.repository, 'repository'),
      reference: optionalText(r.reference, 'reference'),
      digest: optionalText(r.digest, 'digest'),
      project: optionalText(r.project, 'project'),
    });
  }
  const detail = optionalText(e.detail, 'detail');
  return {
    time,
    actor: actor ?? 'anonymous',
    actorKind,
    remote,
    action: e.action,
    resource,
    result: e.result,
    ...(detail === undefined ? {} : { detail }),
  };
}

function dropUndefined(r: Record<keyof AuditResource, string | undefined>): AuditResource {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r)) if (v !== undefined) out[k] = v;
  return out;
}
