/**
 * OSV range evaluation for the matcher: which span of a range holds the
 * version (the walk itself is `affectedSpan` in versions/), put in words,
 * with the fix that closes it.
 */
import { affectedSpan, type OsvEvent } from '../versions/index.js';
import type { Range } from '../vulndb/index.js';

export interface RangeHit {
  /** The span that contains the version, in words: `introduced 0, fixed 1.2.3`. */
  readonly description: string;
  /** The fix closing that span, if any. */
  readonly fixed?: string;
}

/** Whether `version` lies in an ECOSYSTEM or SEMVER range of `ecosystem`, and which span holds it. */
export function evaluateRange(range: Range, ecosystem: string, version: string): RangeHit | undefined {
  if (range.type === 'GIT') return undefined;
  const events: OsvEvent[] = range.events.map((e) =>
    'lastAffected' in e ? { last_affected: e.lastAffected } : e,
  );
  const span = affectedSpan(ecosystem, version, events, { type: range.type });
  if (!span) return undefined;
  if (span.fixed !== undefined)
    return { description: `introduced ${span.introduced}, fixed ${span.fixed}`, fixed: span.fixed };
  if (span.lastAffected !== undefined) {
    return { description: `introduced ${span.introduced}, last affected ${span.lastAffected}` };
  }
  return { description: `introduced ${span.introduced}, no fix yet` };
}
