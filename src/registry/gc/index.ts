/**
 * Garbage collection of the registry's blob store, safe to run while
 * clients push (see collect.ts for the protocol and its race analysis):
 *
 *   const report = await collectGarbage({ storage, state });
 *
 * It keeps its own small tables (`gc_candidates`, `gc_fenced`) in the
 * registry database through `state.module('gc.', …)`. A blob that is
 * linked somewhere goes once it is unreferenced and all its links are older
 * than the grace period; a blob never linked (stored by an upload whose
 * link or manifest never came) goes once runs at least `gracePeriodMs`
 * apart found it so: the first such run records it, a later one deletes it.
 */
export { collectGarbage, DEFAULT_GRACE_PERIOD_MS, DEFAULT_UPLOAD_MAX_AGE_MS } from './collect.js';
export type { GcOptions, GcPhase, GcProgress, GcReport } from './collect.js';
