/**
 * Validation of what project administrators and the registry hand to the
 * webhooks module: target URLs, secrets, event filters, events.
 *
 * SSRF: a target URL makes the registry send requests wherever it points,
 * internal addresses included. Only project administrators may configure
 * targets (the integrator enforces that), only http and https are accepted,
 * credentials in the URL are refused (they would be stored and logged in
 * clear; use the signature instead), and redirects are never followed, so
 * a target cannot bounce a delivery to an address it did not name.
 */
import { randomBytes } from 'node:crypto';
import { MamoriError } from '../../core/index.js';
import { checkRepositoryName, isDigest, isTag } from '../spec/index.js';

export const WEBHOOK_LIMITS = {
  url: 2048,
  secret: 256,
  events: 32,
  /** Bytes of the JSON body of one delivery. */
  body: 64 * 1024,
} as const;

/** Event types share the audit actions' grammar: `push`, `scan.completed`, `policy.violation`, … */
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;

/** One repository path component: a Harbor project name. */
const PROJECT_PATTERN = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

function bad(message: string): MamoriError {
  return new MamoriError('INVALID_ARGUMENT', `webhook: ${message}`);
}

function quote(v: unknown): string {
  const s = typeof v === 'string' ? v : String(v);
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

export function checkProject(v: unknown): string {
  if (typeof v !== 'string' || v.length > 255 || !PROJECT_PATTERN.test(v)) {
    throw bad(`project must be a repository path component, got ${quote(v)}`);
  }
  return v;
}

/** The normalised URL, or MamoriError INVALID_ARGUMENT. */
export function checkTargetUrl(v: unknown): string {
  if (typeof v !== 'string' || v === '' || v.length > WEBHOOK_LIMITS.url) {
    throw bad(`url must be a string of 1…${WEBHOOK_LIMITS.url} characters`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(v)) throw bad('url must not contain white space or control characters');
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw bad(`url is not an absolute URL: ${quote(v)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw bad(`url scheme must be http or https, got ${quote(u.protocol.slice(0, -1))}`);
  }
  if (u.username !== '' || u.password !== '') {
    throw bad('url must not carry credentials; receivers check the X-Mamori-Signature header instead');
  }
  if (u.hostname === '') throw bad('url has no host');
  if (u.hash !== '' || v.includes('#')) throw bad('url must not have a fragment');
  return u.href;
}

/** The given secret, or a new random one (32 bytes, hex). */
export function checkSecret(v: unknown): string {
  if (v === undefined) return randomBytes(32).toString('hex');
  if (typeof v !== 'string' || v === '' || v.length > WEBHOOK_LIMITS.secret || v.includes('\0')) {
    throw bad(`secret must be a string of 1…${WEBHOOK_LIMITS.secret} characters`);
  }
  return v;
}

/** Event types a target wants, deduplicated and sorted; `*` means all. */
export function checkEventFilter(v: unknown): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > WEBHOOK_LIMITS.events) {
    throw bad(`events must list 1…${WEBHOOK_LIMITS.events} event types (or "*")`);
  }
  for (const t of v) {
    if (t !== '*' && (typeof t !== 'string' || !EVENT_TYPE_PATTERN.test(t))) {
      throw bad(`event type ${quote(t)} must match ${String(EVENT_TYPE_PATTERN)} or be "*"`);
    }
  }
  return [...new Set(v as string[])].sort();
}

export function checkEnabled(v: unknown): boolean {
  if (v === undefined) return true;
  if (typeof v !== 'boolean') throw bad('enabled must be a boolean');
  return v;
}

export function checkId(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
    throw bad(`${what} must be a positive integer`);
  return v;
}

/** What an event may carry. */
export interface WebhookEvent {
  /** `push`, `pull`, `delete`, `scan.completed`, `policy.violation`, … */
  readonly type: string;
  readonly project: string;
  readonly repository?: string;
  readonly digest?: string;
  readonly tag?: string;
  /** Any JSON value; the whole body is capped at 64 KiB. */
  readonly data?: unknown;
}

/** The checked event as the JSON body of its deliveries. */
export function eventBody(
  event: unknown,
  eventId: string,
  time: number,
): { type: string; project: string; body: string } {
  if (typeof event !== 'object' || event === null) throw bad('event must be an object');
  const e = event as Record<string, unknown>;
  if (typeof e.type !== 'string' || !EVENT_TYPE_PATTERN.test(e.type)) {
    throw bad(`event type ${quote(e.type)} must match ${String(EVENT_TYPE_PATTERN)}`);
  }
  const project = checkProject(e.project);
  const payload: Record<string, unknown> = {
    id: eventId,
    type: e.type,
    time: new Date(time).toISOString(),
    project,
  };
  if (e.repository !== undefined) {
    const problem = checkRepositoryName(e.repository);
    if (problem !== undefined) throw bad(`repository: ${problem}`);
    if (!(e.repository as string).startsWith(`${project}/`)) throw bad('repository is not in the project');
    payload.repository = e.repository;
  }
  if (e.digest !== undefined) {
    if (!isDigest(e.digest)) throw bad(`digest ${quote(e.digest)} is not a digest`);
    payload.digest = e.digest;
  }
  if (e.tag !== undefined) {
    if (!isTag(e.tag)) throw bad(`tag ${quote(e.tag)} is not a tag`);
    payload.tag = e.tag;
  }
  if (e.data !== undefined) payload.data = e.data;
  let body: string;
  try {
    body = JSON.stringify(payload);
  } catch (err) {
    throw bad(`event data is not JSON-serialisable (${err instanceof Error ? err.message : String(err)})`);
  }
  if (Buffer.byteLength(body) > WEBHOOK_LIMITS.body) {
    throw new MamoriError('LIMIT_EXCEEDED', `webhook: event body exceeds ${WEBHOOK_LIMITS.body} bytes`);
  }
  return { type: e.type, project, body };
}
