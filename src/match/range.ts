/**
 * OSV range evaluation (https://ossf.github.io/osv-schema/#evaluation):
 * walking the events in version order, `introduced` opens an affected span,
 * `fixed` closes it at that version, `last_affected` closes it after that
 * version. `limit` only bounds git ranges and does not change the result here.
 */
import type { Range, RangeEvent } from '../vulndb/index.js';

export type Compare = (a: string, b: string) => number;

export interface RangeHit {
  /** The span that contains the version, in words: `introduced 0, fixed 1.2.3`. */
  readonly description: string;
  /** The fix closing that span, if any. */
  readonly fixed?: string;
}

function eventVersion(e: RangeEvent): string {
  if ('introduced' in e) return e.introduced;
  if ('fixed' in e) return e.fixed;
  if ('lastAffected' in e) return e.lastAffected;
  return e.limit;
}

function orderKey(e: RangeEvent): number {
  // At equal versions: introduced first, then the closing events.
  return 'introduced' in e ? 0 : 'lastAffected' in e ? 1 : 'fixed' in e ? 2 : 3;
}

/** Whether `version` lies in the range, and which span holds it. */
export function evaluateRange(range: Range, version: string, compare: Compare): RangeHit | undefined {
  const cmp = (a: string, b: string) => (a === '0' ? (b === '0' ? 0 : -1) : b === '0' ? 1 : compare(a, b));
  const events = [...range.events]
    .filter((e) => !('limit' in e))
    .sort((a, b) => cmp(eventVersion(a), eventVersion(b)) || orderKey(a) - orderKey(b));
  let open: string | undefined;
  let hit: RangeHit | undefined;
  for (const e of events) {
    if ('introduced' in e) {
      if (cmp(version, e.introduced) >= 0) open = e.introduced;
    } else if ('fixed' in e) {
      if (open !== undefined) {
        if (cmp(version, e.fixed) < 0) {
          hit ??= { description: `introduced ${open}, fixed ${e.fixed}`, fixed: e.fixed };
        }
        open = undefined;
      }
    } else if ('lastAffected' in e) {
      if (open !== undefined) {
        if (cmp(version, e.lastAffected) <= 0)
          hit ??= { description: `introduced ${open}, last affected ${e.lastAffected}` };
        open = undefined;
      }
    }
  }
  if (!hit && open !== undefined) hit = { description: `introduced ${open}, no fix yet` };
  return hit;
}
