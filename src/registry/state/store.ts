/**
 * The registry's metadata store: one async API over SQLite (the embedded
 * default) or PostgreSQL, opened with `openStateStore`, which runs the
 * pending migrations before returning.
 */
import type { Kysely } from 'kysely';
import { MamoriError } from '../../core/index.js';
import {
  blobLink,
  linkBlob,
  mountBlob,
  repositoriesOfBlob,
  unlinkBlob,
  unlinkBlobEverywhere,
} from './blobs.js';
import { getRepository, listManifests, listRepositories, referrers } from './catalog.js';
import { type EngineKind, openEngine } from './engine.js';
import { referencedDigests } from './gc.js';
import { deleteManifest, getManifest, manifestBlobs, manifestParents, putManifest } from './manifests.js';
import { migrate, migrateModule } from './migrations.js';
import { asMigrations, type ModuleMigration, type StateModule } from './module.js';
import { type Ctx, read, write } from './run.js';
import { deleteTag, listTags, putTag, resolveTag, tagsOf } from './tags.js';
import type { Schema } from './schema.js';
import type {
  ManifestListOptions,
  BlobLinkInput,
  BlobLinkRecord,
  CatalogOptions,
  DeleteManifestOptions,
  DeleteManifestResult,
  ManifestInput,
  ManifestRecord,
  Page,
  PageOptions,
  PutManifestOptions,
  PutManifestResult,
  ReferrersOptions,
  RepositoryRecord,
  StateStoreConfig,
  TagRecord,
  UploadRecord,
} from './types.js';
import { endUpload, getUpload, staleUploads, startUpload, touchUpload } from './uploads.js';

/** Opens the store, creating and migrating the database as needed. */
export async function openStateStore(config: StateStoreConfig): Promise<StateStore> {
  if (typeof config !== 'object' || config === null) {
    throw new MamoriError('INVALID_ARGUMENT', 'state store config must be an object');
  }
  if (config.now !== undefined && typeof config.now !== 'function') {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      'now must be a function returning milliseconds since the epoch',
    );
  }
  const now = config.now ?? Date.now;
  const engine = await openEngine(config);
  let migrated: string[];
  try {
    migrated = await migrate(engine, now());
  } catch (e) {
    await engine.db.destroy().catch(() => undefined);
    throw engine.wrap(e);
  }
  return new StateStore({ engine, now }, migrated);
}

export class StateStore {
  private closing: Promise<void> | undefined;
  private readonly pending = new Set<Promise<unknown>>();

  /** @internal use `openStateStore` */
  constructor(
    private readonly ctx: Ctx,
    /** Migrations this open applied (empty when the schema was already current). */
    readonly migrated: readonly string[],
  ) {}

  get kind(): EngineKind {
    return this.ctx.engine.kind;
  }

  /**
   * Migrates a module's tables (see module.ts) and returns its access to
   * them. Call once per module after opening; the migrations run in one
   * transaction, serialised with other processes opening the same database.
   */
  async module<S>(prefix: string, migrations: readonly ModuleMigration<S>[]): Promise<StateModule<S>> {
    const { engine, now } = this.ctx;
    try {
      await this.run(() => migrateModule<S>(engine, now(), prefix, asMigrations(migrations)));
    } catch (e) {
      throw engine.wrap(e);
    }
    const view =
      <T>(fn: (db: Kysely<S>) => Promise<T>) =>
      (db: Kysely<Schema>) =>
        fn(db as unknown as Kysely<S>);
    return {
      kind: engine.kind,
      where: engine.where,
      now,
      read: (fn) => this.run((c) => read(c, view(fn))),
      write: (fn) => this.run((c) => write(c, view(fn))),
    };
  }

  /** Runs an operation unless the store is closing; `close` waits for the ones under way. */
  private run<T>(op: (ctx: Ctx) => Promise<T>): Promise<T> {
    if (this.closing)
      return Promise.reject(new MamoriError('INVALID_ARGUMENT', 'the registry state store is closed'));
    const p = op(this.ctx);
    this.pending.add(p);
    const forget = (): void => void this.pending.delete(p);
    p.then(forget, forget);
    return p;
  }

  // Repositories and catalog
  getRepository(name: string): Promise<RepositoryRecord | undefined> {
    return this.run((c) => getRepository(c, name));
  }
  listRepositories(options?: CatalogOptions): Promise<Page<string>> {
    return this.run((c) => listRepositories(c, options));
  }

  // Blob links
  linkBlob(repository: string, blob: BlobLinkInput): Promise<boolean> {
    return this.run((c) => linkBlob(c, repository, blob));
  }
  blobLink(repository: string, digest: string): Promise<BlobLinkRecord | undefined> {
    return this.run((c) => blobLink(c, repository, digest));
  }
  async isBlobLinked(repository: string, digest: string): Promise<boolean> {
    return (await this.blobLink(repository, digest)) !== undefined;
  }
  unlinkBlob(repository: string, digest: string): Promise<boolean> {
    return this.run((c) => unlinkBlob(c, repository, digest));
  }
  mountBlob(from: string, to: string, digest: string): Promise<boolean> {
    return this.run((c) => mountBlob(c, from, to, digest));
  }
  repositoriesOfBlob(digest: string): Promise<string[]> {
    return this.run((c) => repositoriesOfBlob(c, digest));
  }
  unlinkBlobEverywhere(digest: string, linkedBefore: Date): Promise<number> {
    return this.run((c) => unlinkBlobEverywhere(c, digest, linkedBefore));
  }

  // Manifests
  putManifest(
    repository: string,
    manifest: ManifestInput,
    options?: PutManifestOptions,
  ): Promise<PutManifestResult> {
    return this.run((c) => putManifest(c, repository, manifest, options));
  }
  getManifest(repository: string, digest: string): Promise<ManifestRecord | undefined> {
    return this.run((c) => getManifest(c, repository, digest));
  }
  deleteManifest(
    repository: string,
    digest: string,
    options?: DeleteManifestOptions,
  ): Promise<DeleteManifestResult> {
    return this.run((c) => deleteManifest(c, repository, digest, options));
  }
  manifestParents(repository: string, digest: string): Promise<string[]> {
    return this.run((c) => manifestParents(c, repository, digest));
  }
  manifestBlobs(repository: string, digest: string): Promise<string[]> {
    return this.run((c) => manifestBlobs(c, repository, digest));
  }
  /** Every manifest of a repository by digest, paged; without referrers, or only untagged ones, on request. */
  listManifests(repository: string, options?: ManifestListOptions): Promise<Page<ManifestRecord>> {
    return this.run((c) => listManifests(c, repository, options));
  }
  referrers(repository: string, subject: string, options?: ReferrersOptions): Promise<Page<ManifestRecord>> {
    return this.run((c) => referrers(c, repository, subject, options));
  }

  // Tags
  putTag(repository: string, tag: string, digest: string): Promise<{ previous?: string }> {
    return this.run((c) => putTag(c, repository, tag, digest));
  }
  resolveTag(repository: string, tag: string): Promise<TagRecord | undefined> {
    return this.run((c) => resolveTag(c, repository, tag));
  }
  deleteTag(repository: string, tag: string): Promise<boolean> {
    return this.run((c) => deleteTag(c, repository, tag));
  }
  listTags(repository: string, options?: PageOptions): Promise<Page<string> | undefined> {
    return this.run((c) => listTags(c, repository, options));
  }
  tagsOf(repository: string, digest: string): Promise<string[]> {
    return this.run((c) => tagsOf(c, repository, digest));
  }

  // Uploads
  startUpload(id: string, repository: string): Promise<UploadRecord> {
    return this.run((c) => startUpload(c, id, repository));
  }
  touchUpload(id: string): Promise<boolean> {
    return this.run((c) => touchUpload(c, id));
  }
  getUpload(id: string): Promise<UploadRecord | undefined> {
    return this.run((c) => getUpload(c, id));
  }
  endUpload(id: string): Promise<boolean> {
    return this.run((c) => endUpload(c, id));
  }
  staleUploads(before: Date, n?: number): Promise<UploadRecord[]> {
    return this.run((c) => staleUploads(c, before, n));
  }

  /** GC mark set: see gc.ts for why the sweep needs a grace period. */
  async *allReferencedBlobDigests(): AsyncGenerator<string, void, undefined> {
    if (this.closing) throw new MamoriError('INVALID_ARGUMENT', 'the registry state store is closed');
    // Each page is its own operation: close() waits for a page, not for the consumer.
    const it = referencedDigests(this.ctx);
    for (;;) {
      const next = await this.run(() => it.next());
      if (next.done) return;
      yield next.value;
    }
  }

  /** Waits for the operations under way, then closes the database (idempotent). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.pending]);
      await this.ctx.engine.db.destroy();
    })();
    return this.closing;
  }
}
