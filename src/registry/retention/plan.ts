/**
 * Retention planning for one repository: which tags the rules drop and,
 * where the rules say so, which manifests go with them.
 *
 * - Each rule selects the repository's tags matching its tag glob and keeps
 *   the `mostRecent` most recently pushed (a tag's push time is when it was
 *   last pointed at its manifest) and those pushed within `pushedWithinDays`.
 *   A tag selected by some rule and kept by none is dropped; a tag no rule
 *   selects is left alone. An immutable tag is never dropped (reported as
 *   protected).
 * - When every rule covering the repository says `untagged: 'delete'`,
 *   manifests without a tag once the drops are done go too: those the drops
 *   leave untagged and those already untagged, if older than the untagged
 *   grace period (a manifest pushed by digest a moment ago may be waiting
 *   for its index or its tag). Referrers (manifests with a subject) are not
 *   judged as untagged: they go when their subject goes. A manifest an
 *   index still lists that does not go itself stays.
 * - Referrers of every manifest that goes go too (recursively), unless one
 *   carries an immutable tag.
 */
import type { StateStore } from '../state/index.js';
import type { RetentionRule } from './rules.js';
import { glob } from './rules.js';
import type { UntaggedManifest } from './view.js';

const DAY = 24 * 60 * 60 * 1000;
const PAGE = 1000;

export type RetentionReason = 'rule' | 'untagged' | 'referrer';

export interface RetentionAction {
  readonly repository: string;
  /** A tag to delete (the manifest stays unless a manifest action follows) or a manifest to delete. */
  readonly kind: 'tag' | 'manifest';
  /** The manifest: the tag's target, or the manifest to delete. */
  readonly digest: string;
  readonly tag?: string;
  /** For a referrer: the manifest it refers to. */
  readonly subject?: string;
  readonly reason: RetentionReason;
  /** Ids of the retention rules covering the repository. */
  readonly rules: readonly number[];
}

export interface ProtectedTag {
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
}

export interface RepositoryPlan {
  readonly actions: RetentionAction[];
  readonly protected: ProtectedTag[];
}

interface TagInfo {
  readonly tag: string;
  readonly digest: string;
  readonly pushedAt: number;
}

export interface PlanContext {
  readonly state: StateStore;
  readonly isImmutable: (repository: string, tag: string) => Promise<boolean>;
  readonly untagged: (repository: string) => AsyncIterable<UntaggedManifest>;
  readonly now: number;
  readonly untaggedGraceMs: number;
}

async function allTags(state: StateStore, repository: string): Promise<TagInfo[]> {
  const out: TagInfo[] = [];
  let last: string | undefined;
  for (;;) {
    const page = await state.listTags(repository, { n: PAGE, ...(last !== undefined ? { last } : {}) });
    if (!page) return out;
    for (const tag of page.items) {
      const t = await state.resolveTag(repository, tag);
      if (t) out.push({ tag, digest: t.digest, pushedAt: t.updatedAt.getTime() });
    }
    if (!page.more) return out;
    last = page.items[page.items.length - 1];
  }
}

/** Tags the rules keep, of those they select. */
function decide(tags: readonly TagInfo[], rules: readonly RetentionRule[], now: number) {
  const selected = new Set<string>();
  const kept = new Set<string>();
  for (const rule of rules) {
    const match = glob(rule.tag);
    const sel = tags.filter((t) => match(t.tag));
    for (const t of sel) selected.add(t.tag);
    const { mostRecent, pushedWithinDays } = rule.keep;
    if (mostRecent !== undefined) {
      const newest = [...sel].sort((a, b) => b.pushedAt - a.pushedAt || (a.tag < b.tag ? -1 : 1));
      for (const t of newest.slice(0, mostRecent)) kept.add(t.tag);
    }
    if (pushedWithinDays !== undefined) {
      for (const t of sel) if (t.pushedAt >= now - pushedWithinDays * DAY) kept.add(t.tag);
    }
  }
  return tags.filter((t) => selected.has(t.tag) && !kept.has(t.tag));
}

async function anyImmutable(ctx: PlanContext, repository: string, digest: string): Promise<boolean> {
  for (const tag of await ctx.state.tagsOf(repository, digest)) {
    if (await ctx.isImmutable(repository, tag)) return true;
  }
  return false;
}

export async function planRepository(
  ctx: PlanContext,
  repository: string,
  rules: readonly RetentionRule[],
): Promise<RepositoryPlan> {
  const { state } = ctx;
  const ruleIds = rules.map((r) => r.id);
  const tags = await allTags(state, repository);
  const actions: RetentionAction[] = [];
  const protectedTags: ProtectedTag[] = [];
  const dropped = new Set<string>();
  for (const t of decide(tags, rules, ctx.now)) {
    if (await ctx.isImmutable(repository, t.tag)) {
      protectedTags.push({ repository, tag: t.tag, digest: t.digest });
      continue;
    }
    dropped.add(t.tag);
    actions.push({ repository, kind: 'tag', digest: t.digest, tag: t.tag, reason: 'rule', rules: ruleIds });
  }
  if (rules.length === 0 || rules.some((r) => r.untagged !== 'delete')) {
    return { actions, protected: protectedTags };
  }

  const oldEnough = ctx.now - ctx.untaggedGraceMs;
  const stillTagged = new Set(tags.filter((t) => !dropped.has(t.tag)).map((t) => t.digest));
  const going = new Map<string, { reason: RetentionReason; subject?: string }>();
  for (const t of tags) {
    if (!dropped.has(t.tag) || stillTagged.has(t.digest) || going.has(t.digest)) continue;
    const m = await state.getManifest(repository, t.digest);
    if (m && m.subjectDigest === undefined && m.createdAt.getTime() < oldEnough) {
      going.set(t.digest, { reason: 'untagged' });
    }
  }
  for await (const m of ctx.untagged(repository)) {
    if (m.subjectDigest === undefined && m.createdAt < oldEnough) going.set(m.digest, { reason: 'untagged' });
  }
  // A manifest listed by an index that stays, stays (to a fixpoint: indexes of indexes).
  for (let changed = true; changed;) {
    changed = false;
    for (const digest of [...going.keys()]) {
      const parents = await state.manifestParents(repository, digest);
      if (parents.some((p) => !going.has(p))) {
        going.delete(digest);
        changed = true;
      }
    }
  }
  // Referrers of what goes, recursively.
  const queue = [...going.keys()];
  for (let subject = queue.pop(); subject !== undefined; subject = queue.pop()) {
    let last: string | undefined;
    for (;;) {
      const page = await state.referrers(repository, subject, {
        n: PAGE,
        ...(last !== undefined ? { last } : {}),
      });
      for (const r of page.items) {
        if (going.has(r.digest)) continue;
        if (await anyImmutable(ctx, repository, r.digest)) continue;
        going.set(r.digest, { reason: 'referrer', subject });
        queue.push(r.digest);
      }
      if (!page.more) break;
      last = page.items[page.items.length - 1]?.digest;
    }
  }
  for (const [digest, g] of going) {
    actions.push({
      repository,
      kind: 'manifest',
      digest,
      reason: g.reason,
      ...(g.subject !== undefined ? { subject: g.subject } : {}),
      rules: ruleIds,
    });
  }
  return { actions, protected: protectedTags };
}
