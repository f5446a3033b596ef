/**
 * The "delivered or counted" check of the burst test.
 *
 * bpftrace reports kernel losses as a count of lost perf records, not of
 * events, and not per event kind: one exec event is several records (argv
 * header and one record per argument, exec header, path), a connect is one.
 * So losses cannot be attributed to a kind exactly. What does hold for a
 * correct sensor is this: every event that is not delivered has at least one
 * drop counted for it alone (a lost record belongs to one event; an event
 * left incomplete is counted once as a parse drop; a queue overflow counts
 * the event), so
 *
 *   Σ over kinds (produced − delivered)  ≤  kernel + queue + parse drops
 *
 * and for each kind delivered ≤ produced (nothing delivered twice or made
 * up). The drop total may exceed what was lost (an orphaned continuation
 * record is counted again as a parse drop; records of other kinds — exits,
 * syscall sets — may be lost too), so the check is an inequality; with no
 * drops at all it is an equality: every produced event was delivered.
 */

export interface AccountingInput {
  /** Events the load generator made, per kind. */
  readonly produced: Readonly<Record<string, number>>;
  /** Matching events the sensor delivered, per kind (same keys). */
  readonly delivered: Readonly<Record<string, number>>;
  /** The sensor's drop counters. */
  readonly dropped: Readonly<{ kernel: number; queue: number; parse: number }>;
}

export interface Accounting {
  readonly ok: boolean;
  /** produced − delivered per kind (negative: more delivered than produced). */
  readonly missing: Readonly<Record<string, number>>;
  readonly missingTotal: number;
  readonly droppedTotal: number;
  /** Why the check failed (empty when ok). */
  readonly problems: readonly string[];
}

function count(v: number | undefined): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : NaN;
}

/** Checks that every produced event was delivered or counted as dropped (see the module comment). */
export function checkAccounting(input: AccountingInput): Accounting {
  const problems: string[] = [];
  const missing: Record<string, number> = {};
  let missingTotal = 0;
  for (const kind of Object.keys(input.produced)) {
    const p = count(input.produced[kind]);
    const d = count(input.delivered[kind]);
    if (Number.isNaN(p) || Number.isNaN(d)) {
      problems.push(`${kind}: counts must be non-negative integers`);
      continue;
    }
    missing[kind] = p - d;
    if (d > p) problems.push(`${kind}: ${d} delivered but only ${p} produced`);
    else missingTotal += p - d;
  }
  const dr = input.dropped;
  const droppedTotal = count(dr.kernel) + count(dr.queue) + count(dr.parse);
  if (Number.isNaN(droppedTotal)) problems.push('drop counters must be non-negative integers');
  else if (missingTotal > droppedTotal) {
    problems.push(
      `${missingTotal} events neither delivered nor counted (only ${droppedTotal} drops counted)`,
    );
  }
  return { ok: problems.length === 0, missing, missingTotal, droppedTotal, problems };
}
