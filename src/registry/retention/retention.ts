/**
 * Per-project tag immutability and tag retention, with rules kept in the
 * registry database.
 *
 * Immutability (as Harbor's immutable tags): a tag matching a rule of its
 * project can be created, and pushed again with the same manifest, but not
 * moved to another manifest nor deleted, nor can its manifest be deleted.
 * `checkTag` has the shape of the HTTP layer's `RegistryHooks.checkTag` and
 * refuses with DENIED (403): Harbor answers 412 or 403 depending on the
 * version; 403 DENIED is one of the distribution spec's codes, which every
 * client reports with its message.
 */
import { MamoriError } from '../../core/index.js';
import { RegistryError } from '../spec/index.js';
import type { StateStore } from '../state/index.js';
import { applyActions, type SkippedAction } from './apply.js';
import { planRepository, type ProtectedTag, type RetentionAction } from './plan.js';
import {
  checkImmutabilityRule,
  checkProject,
  checkRetentionRule,
  glob,
  withinProject,
  type ImmutabilityRule,
  type ImmutabilityRuleInput,
  type RetentionRule,
  type RetentionRuleInput,
  type UntaggedPolicy,
} from './rules.js';
import { RETENTION_MIGRATIONS, type RetentionModule } from './tables.js';
import { untaggedManifests } from './view.js';

export const DEFAULT_UNTAGGED_GRACE_MS = 60 * 60 * 1000;
const CATALOG_PAGE = 500;

export interface PlanOptions {
  /** Clock for "pushed within d days" (ms since the epoch); default the state store's clock. */
  readonly now?: number;
  /** Untagged manifests younger than this stay (default 1 h). */
  readonly untaggedGraceMs?: number;
  /** Only this project. */
  readonly project?: string;
  readonly signal?: AbortSignal;
}

export interface RetentionPlan {
  readonly now: number;
  /** Tag deletions first, then manifest deletions, in the order they are applied. */
  readonly actions: RetentionAction[];
  /** Tags the rules would drop that an immutability rule protects. */
  readonly protected: ProtectedTag[];
}

export interface ApplyOptions extends PlanOptions {
  readonly dryRun?: boolean;
}

export interface RetentionResult extends RetentionPlan {
  readonly dryRun: boolean;
  /** What was deleted (on a dry run: nothing). */
  readonly applied: RetentionAction[];
  /** Planned steps left undone because the registry changed meanwhile. */
  readonly skipped: SkippedAction[];
}

function toId(v: number | string | bigint): number {
  return Number(v);
}

/** Migrates the retention tables and returns the rules' owner. */
export async function openRetention(state: StateStore): Promise<Retention> {
  return new Retention(state, await state.module('retention.', RETENTION_MIGRATIONS));
}

export class Retention {
  /** @internal use `openRetention` */
  constructor(
    private readonly state: StateStore,
    private readonly mod: RetentionModule,
  ) {}

  // Immutability rules

  async addImmutabilityRule(input: ImmutabilityRuleInput): Promise<ImmutabilityRule> {
    const r = checkImmutabilityRule(input);
    const createdAt = this.mod.now();
    const row = await this.mod.write((db) =>
      db
        .insertInto('retention_immutable')
        .values({ ...r, created_at: createdAt })
        .returning('id')
        .executeTakeFirstOrThrow(),
    );
    return { id: toId(row.id), ...r, createdAt: new Date(createdAt) };
  }

  async listImmutabilityRules(project?: string): Promise<ImmutabilityRule[]> {
    const p = project === undefined ? undefined : checkProject(project);
    const rows = await this.mod.read((db) => {
      let q = db.selectFrom('retention_immutable').selectAll();
      if (p !== undefined) q = q.where('project', '=', p);
      return q.orderBy('id').execute();
    });
    return rows.map((r) => ({
      id: toId(r.id),
      project: r.project,
      repository: r.repository,
      tag: r.tag,
      createdAt: new Date(Number(r.created_at)),
    }));
  }

  async removeImmutabilityRule(id: number): Promise<boolean> {
    if (!Number.isSafeInteger(id)) throw new MamoriError('INVALID_ARGUMENT', 'rule id must be an integer');
    const r = await this.mod.write((db) =>
      db.deleteFrom('retention_immutable').where('id', '=', id).executeTakeFirst(),
    );
    return Number(r.numDeletedRows) > 0;
  }

  /** Whether an immutability rule of the repository's project covers the tag. */
  async isTagImmutable(repository: string, tag: string): Promise<boolean> {
    if (typeof repository !== 'string' || typeof tag !== 'string') return false;
    const project = repository.split('/', 1)[0] ?? '';
    const rules = await this.mod.read((db) =>
      db
        .selectFrom('retention_immutable')
        .select(['repository', 'tag'])
        .where('project', '=', project)
        .execute(),
    );
    const rel = withinProject(project, repository);
    if (rel === undefined) return false;
    return rules.some((r) => glob(r.repository)(rel) && glob(r.tag)(tag));
  }

  /**
   * `RegistryHooks.checkTag`: refuses (RegistryError DENIED, 403) moving an
   * existing immutable tag to another manifest or deleting it; creating it,
   * or pushing the same manifest again, is allowed.
   */
  readonly checkTag = async (
    _caller: unknown,
    repository: string,
    tag: string,
    current: string | undefined,
    next: string | undefined,
  ): Promise<void> => {
    if (current === undefined || current === next) return;
    if (!(await this.isTagImmutable(repository, tag))) return;
    throw new RegistryError(
      'DENIED',
      next === undefined
        ? `tag ${tag} of ${repository} is immutable and cannot be deleted`
        : `tag ${tag} of ${repository} is immutable and cannot be moved to another manifest`,
      { detail: { repository, tag, reason: 'immutable tag' } },
    );
  };

  // Retention rules

  async addRetentionRule(input: RetentionRuleInput): Promise<RetentionRule> {
    const r = checkRetentionRule(input);
    const createdAt = this.mod.now();
    const row = await this.mod.write((db) =>
      db
        .insertInto('retention_rules')
        .values({
          project: r.project,
          repository: r.repository,
          tag: r.tag,
          keep_most_recent: r.keep.mostRecent ?? null,
          keep_pushed_within_days: r.keep.pushedWithinDays ?? null,
          untagged: r.untagged,
          created_at: createdAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow(),
    );
    return { id: toId(row.id), ...r, createdAt: new Date(createdAt) };
  }

  async listRetentionRules(project?: string): Promise<RetentionRule[]> {
    const p = project === undefined ? undefined : checkProject(project);
    const rows = await this.mod.read((db) => {
      let q = db.selectFrom('retention_rules').selectAll();
      if (p !== undefined) q = q.where('project', '=', p);
      return q.orderBy('id').execute();
    });
    return rows.map((r) => ({
      id: toId(r.id),
      project: r.project,
      repository: r.repository,
      tag: r.tag,
      keep: {
        ...(r.keep_most_recent !== null ? { mostRecent: Number(r.keep_most_recent) } : {}),
        ...(r.keep_pushed_within_days !== null
          ? { pushedWithinDays: Number(r.keep_pushed_within_days) }
          : {}),
      },
      untagged: (r.untagged === 'delete' ? 'delete' : 'keep') satisfies UntaggedPolicy,
      createdAt: new Date(Number(r.created_at)),
    }));
  }

  async removeRetentionRule(id: number): Promise<boolean> {
    if (!Number.isSafeInteger(id)) throw new MamoriError('INVALID_ARGUMENT', 'rule id must be an integer');
    const r = await this.mod.write((db) =>
      db.deleteFrom('retention_rules').where('id', '=', id).executeTakeFirst(),
    );
    return Number(r.numDeletedRows) > 0;
  }

  // Planning and applying

  /** What the retention rules would delete now; changes nothing. */
  async planRetention(options: PlanOptions = {}): Promise<RetentionPlan> {
    const now = options.now ?? this.mod.now();
    if (!Number.isSafeInteger(now))
      throw new MamoriError('INVALID_ARGUMENT', 'now must be ms since the epoch');
    const untaggedGraceMs = options.untaggedGraceMs ?? DEFAULT_UNTAGGED_GRACE_MS;
    if (!Number.isSafeInteger(untaggedGraceMs) || untaggedGraceMs < 0) {
      throw new MamoriError('INVALID_ARGUMENT', 'untaggedGraceMs must be a non-negative integer');
    }
    const only = options.project === undefined ? undefined : checkProject(options.project);
    const rules = (await this.listRetentionRules(only)).filter(
      (r) => only === undefined || r.project === only,
    );
    const ctx = {
      state: this.state,
      isImmutable: (repo: string, tag: string) => this.isTagImmutable(repo, tag),
      untagged: (repo: string) => untaggedManifests(this.state, repo),
      now,
      untaggedGraceMs,
    };
    const tagActions: RetentionAction[] = [];
    const manifestActions: RetentionAction[] = [];
    const protectedTags: ProtectedTag[] = [];
    for (const project of [...new Set(rules.map((r) => r.project))].sort()) {
      const mine = rules.filter((r) => r.project === project);
      let last: string | undefined;
      for (;;) {
        options.signal?.throwIfAborted();
        const page = await this.state.listRepositories({
          projects: [project],
          n: CATALOG_PAGE,
          ...(last !== undefined ? { last } : {}),
        });
        for (const repository of page.items) {
          const rel = withinProject(project, repository);
          if (rel === undefined) continue;
          const covering = mine.filter((r) => glob(r.repository)(rel));
          if (covering.length === 0) continue;
          const p = await planRepository(ctx, repository, covering);
          for (const a of p.actions) (a.kind === 'tag' ? tagActions : manifestActions).push(a);
          protectedTags.push(...p.protected);
        }
        if (!page.more) break;
        last = page.items[page.items.length - 1];
      }
    }
    return { now, actions: [...tagActions, ...manifestActions], protected: protectedTags };
  }

  /** Plans, then (unless `dryRun`) deletes the tags and manifests to go; GC frees their blobs later. */
  async applyRetention(options: ApplyOptions = {}): Promise<RetentionResult> {
    const plan = await this.planRetention(options);
    const dryRun = options.dryRun === true;
    if (dryRun) return { ...plan, dryRun, applied: [], skipped: [] };
    const { applied, skipped } = await applyActions(
      {
        state: this.state,
        isImmutable: (repo, tag) => this.isTagImmutable(repo, tag),
        ...(options.signal ? { signal: options.signal } : {}),
      },
      plan.actions,
    );
    return { ...plan, dryRun, applied, skipped };
  }
}
