/**
 * Carries out a retention plan through the state store, re-checking each
 * step against what changed since planning: a tag made immutable or moved
 * meanwhile stays; a manifest tagged again stays; a referrer stays while
 * its subject does; a manifest an index still lists is retried after the
 * other deletions (the index may be going too) and otherwise stays. Blobs
 * are not touched: garbage collection frees them once unreferenced.
 */
import type { StateStore } from '../state/index.js';
import type { RetentionAction } from './plan.js';

export interface SkippedAction {
  readonly action: RetentionAction;
  readonly why: 'immutable' | 'moved' | 'tagged' | 'subject-kept' | 'listed-by-index' | 'gone';
}

export interface ApplyContext {
  readonly state: StateStore;
  readonly isImmutable: (repository: string, tag: string) => Promise<boolean>;
  readonly signal?: AbortSignal;
}

export async function applyActions(
  ctx: ApplyContext,
  actions: readonly RetentionAction[],
): Promise<{ applied: RetentionAction[]; skipped: SkippedAction[] }> {
  const { state, signal } = ctx;
  const applied: RetentionAction[] = [];
  const skipped: SkippedAction[] = [];
  for (const a of actions) {
    if (a.kind !== 'tag' || a.tag === undefined) continue;
    signal?.throwIfAborted();
    if (await ctx.isImmutable(a.repository, a.tag)) {
      skipped.push({ action: a, why: 'immutable' });
      continue;
    }
    const current = await state.resolveTag(a.repository, a.tag);
    if (current?.digest !== a.digest) {
      skipped.push({ action: a, why: current ? 'moved' : 'gone' });
      continue;
    }
    if (await state.deleteTag(a.repository, a.tag)) applied.push(a);
    else skipped.push({ action: a, why: 'gone' });
  }

  // Manifests: subjects before their referrers; indexes before the children they list.
  let pending = actions.filter((a) => a.kind === 'manifest');
  pending.sort((x, y) => Number(x.reason === 'referrer') - Number(y.reason === 'referrer'));
  for (let progress = true; progress && pending.length > 0;) {
    progress = false;
    const retry: RetentionAction[] = [];
    for (const a of pending) {
      signal?.throwIfAborted();
      const tags = await state.tagsOf(a.repository, a.digest);
      let immutable = false;
      for (const t of tags) immutable ||= await ctx.isImmutable(a.repository, t);
      if (immutable) {
        skipped.push({ action: a, why: 'immutable' });
        continue;
      }
      if (a.reason !== 'referrer' && tags.length > 0) {
        skipped.push({ action: a, why: 'tagged' });
        continue;
      }
      if (a.subject !== undefined && (await state.getManifest(a.repository, a.subject))) {
        skipped.push({ action: a, why: 'subject-kept' });
        continue;
      }
      const r = await state.deleteManifest(a.repository, a.digest);
      if (r.status === 'deleted') {
        applied.push(a);
        progress = true;
      } else if (r.status === 'referenced') retry.push(a);
      else skipped.push({ action: a, why: 'gone' });
    }
    pending = retry;
  }
  for (const a of pending) skipped.push({ action: a, why: 'listed-by-index' });
  return { applied, skipped };
}
