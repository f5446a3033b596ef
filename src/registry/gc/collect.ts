/**
 * Online garbage collection of the blob store: runs while clients push.
 *
 * Outline of one run (markStart = clock at the start, cutoff = markStart −
 * grace):
 *
 *  1. Mark: stream `state.allReferencedBlobDigests()` into a compact set
 *     (mark.ts; ~32 bytes per sha256 digest).
 *  2. Leftover fences of an interrupted run are settled (see 5).
 *  3. Scan: for every blob `storage.list()` yields that is not marked, read
 *     its links; a blob with any link created at or after the cutoff is
 *     kept (linked by a push during or shortly before this run). A blob
 *     whose links are all older is *doomed* (it was stored before its first
 *     link). A blob without any link is recorded in `gc_candidates` and is
 *     doomed only when first recorded before the cutoff, i.e. it has been
 *     stored and unlinked for a whole grace period across runs: the blob
 *     store keeps no times, and this stands in for the blob file's age.
 *  4. Fence, a batch of doomed blobs at a time: save each blob's links in
 *     `gc_fenced`, then `state.unlinkBlobEverywhere(digest, cutoff)`.
 *  5. Re-mark: a second full mark, started after every unlink of the batch
 *     committed. A doomed blob in it is rescued: its links are put back
 *     and it is kept. Otherwise, when it has no link at all now, the blob
 *     is deleted; then, if a link appeared meanwhile while the file is gone,
 *     those dangling links are removed too, so a manifest naming the blob is
 *     refused (MANIFEST_BLOB_UNKNOWN) and the client uploads it again.
 *  6. Candidate rows of blobs not seen as garbage this run are dropped;
 *     abandoned uploads are removed (uploads.ts).
 *
 * Why a push running meanwhile keeps its blobs:
 *  - A blob stored during the run, not linked yet (the HTTP layer links
 *    right after storing, and a manifest's own bytes are linked after its
 *    row is written): it was never recorded as garbage before this run, so
 *    its first-seen time is markStart, not before the cutoff: not doomed (3).
 *  - A blob linked during the run, or within the grace period before it:
 *    its link is newer than the cutoff: kept (3), and
 *    `unlinkBlobEverywhere` never removes such a link (4).
 *  - A manifest referencing an old, unreferenced, linked blob, written while
 *    the first mark ran (the mark is read in pages, not one snapshot, so it
 *    may miss it): writing the manifest requires the blob's link in the
 *    same transaction. If the manifest committed before the unlink, the
 *    re-mark (started after the unlink) sees it: rescued. If after, it
 *    found a link created after the unlink, which step 5 sees: kept.
 *  - An index naming a child manifest needs the child's row: a manifest row
 *    keeps its digest marked.
 *
 * Residual windows (milliseconds wide, per blob, and only for a blob
 * garbage for a whole grace period): (a) a push uploading again the bytes
 * of such a blob, deduplicated by the blob store against the very file
 * being deleted, between the sweep's last "no link" check and the delete:
 * if its link is written after the dangling-link check, its manifest is
 * accepted without the blob; (b) a manifest re-pushed with bytes identical
 * to such a blob, its row written after the re-mark passed its digest and
 * its link after the dangling-link check. Closing them needs the push path
 * to take part (a tombstone checked when a blob is deduplicated, as
 * Harbor's blob status does) or a conditional delete in the blob store
 * (delete only if not stored again since a given time).

 * Between the unlink and the rescue of a blob that a manifest referenced
 * after all (the unreferenced-blob case above), pulls of that blob answer
 * BLOB_UNKNOWN for the duration of one re-mark.
 *
 * Memory: the mark (twice during a re-mark) plus one batch of doomed
 * digests with their links; run one collector at a time.
 *
 * Crashes: `storage.delete` is one unlink(2), so a blob is present whole or
 * absent. A run killed anywhere leaves candidate rows (kept), fences (put
 * back or finished by the next run, step 2) and blobs not deleted yet,
 * which the next run deletes: GC is restartable and idempotent.
 */
import { MamoriError } from '../../core/index.js';
import type { BlobStore } from '../storage/index.js';
import type { StateStore } from '../state/index.js';
import { markFrom, type MarkSet } from './mark.js';
import {
  dropFences,
  fencedDigests,
  fencesOf,
  forgetUnseen,
  GC_MIGRATIONS,
  type FencedLink,
  type GcModule,
  saveFences,
  settled,
  touchCandidates,
} from './tables.js';
import { sweepUploads } from './uploads.js';

export const DEFAULT_GRACE_PERIOD_MS = 60 * 60 * 1000;
export const DEFAULT_UPLOAD_MAX_AGE_MS = 24 * 60 * 60 * 1000;
const DEFAULT_BATCH = 10_000;
const DEFAULT_MAX_REPORTED = 1000;
/** Unmarked blobs whose links are read per scan round. */
const SCAN_CHUNK = 200;

export type GcPhase = 'mark' | 'scan' | 'sweep' | 'uploads' | 'done';

export interface GcProgress {
  readonly phase: GcPhase;
  readonly blobsScanned: number;
  readonly blobsDeleted: number;
}

export interface GcOptions {
  readonly storage: BlobStore;
  readonly state: StateStore;
  /** Blobs linked or first seen unreferenced less than this long before the mark are kept (default 1 h). */
  readonly gracePeriodMs?: number;
  /** Uploads untouched for this long are removed (default 24 h). */
  readonly uploadMaxAgeMs?: number;
  /** Report what would go; write and delete nothing. */
  readonly dryRun?: boolean;
  /** Clock in ms since the epoch; must agree with the state store's clock (both default to `Date.now`). */
  readonly now?: () => number;
  /** Stops the run between steps (the next run finishes the job); the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: GcProgress) => void;
  /** Doomed blobs fenced and re-marked together (default 10 000); each batch costs one re-mark. */
  readonly batchSize?: number;
  /** At most this many digests in `deleted` (default 1000). */
  readonly maxReported?: number;
}

export interface GcReport {
  readonly dryRun: boolean;
  /** Blobs in the blob store. */
  readonly blobsScanned: number;
  /** Digests the mark holds. */
  readonly blobsMarked: number;
  /** Blobs deleted (on a dry run: that would be deleted now). */
  readonly blobsDeleted: number;
  readonly bytesFreed: number;
  /** Unreferenced blobs kept because they were linked, or first seen unreferenced, within the grace period. */
  readonly blobsDeferred: number;
  /** Doomed blobs a manifest written during the run turned out to reference (kept, links restored). */
  readonly blobsRescued: number;
  /** Links of deleted blobs removed. */
  readonly linksRemoved: number;
  readonly uploadsRemoved: number;
  readonly durationMs: number;
  /** Digests deleted, at most `maxReported`. */
  readonly deleted: string[];
  /** More blobs were deleted than `deleted` lists. */
  readonly deletedTruncated: boolean;
}

interface Run {
  readonly o: Required<Pick<GcOptions, 'storage' | 'state' | 'dryRun' | 'now'>> & GcOptions;
  readonly mod: GcModule;
  readonly markStart: number;
  readonly cutoff: number;
  readonly maxReported: number;
  scanned: number;
  deleted: string[];
  deletedCount: number;
  bytesFreed: number;
  deferred: number;
  rescued: number;
  linksRemoved: number;
  /** Blobs an interrupted run fenced (unlinked) but did not delete. */
  readonly leftover: Set<string>;
}

function checkMs(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new MamoriError('INVALID_ARGUMENT', `${name} must be a non-negative integer number of ms`);
  }
  return v;
}

/** Runs one garbage collection; see the file header for what it guarantees. */
export async function collectGarbage(options: GcOptions): Promise<GcReport> {
  if (typeof options !== 'object' || options === null) {
    throw new MamoriError('INVALID_ARGUMENT', 'garbage collection options must be an object');
  }
  const { storage: st, state: ss } = options;
  if (typeof st?.list !== 'function' || typeof st.delete !== 'function' || typeof st.stat !== 'function') {
    throw new MamoriError('INVALID_ARGUMENT', 'storage must be a BlobStore');
  }
  if (typeof ss?.module !== 'function' || typeof ss.allReferencedBlobDigests !== 'function') {
    throw new MamoriError('INVALID_ARGUMENT', 'state must be a StateStore');
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new MamoriError('INVALID_ARGUMENT', 'now must be a function returning ms since the epoch');
  }
  const grace = checkMs('gracePeriodMs', options.gracePeriodMs, DEFAULT_GRACE_PERIOD_MS);
  const uploadMaxAge = checkMs('uploadMaxAgeMs', options.uploadMaxAgeMs, DEFAULT_UPLOAD_MAX_AGE_MS);
  const batchSize = checkMs('batchSize', options.batchSize, DEFAULT_BATCH) || DEFAULT_BATCH;
  const maxReported = checkMs('maxReported', options.maxReported, DEFAULT_MAX_REPORTED);
  const now = options.now ?? Date.now;
  const dryRun = options.dryRun === true;
  const { storage, state, signal, onProgress } = options;
  const started = now();
  const mod = await state.module('gc.', GC_MIGRATIONS);
  const run: Run = {
    o: { ...options, storage, state, dryRun, now },
    mod,
    markStart: started,
    cutoff: started - grace,
    maxReported,
    scanned: 0,
    deleted: [],
    deletedCount: 0,
    bytesFreed: 0,
    deferred: 0,
    rescued: 0,
    linksRemoved: 0,
    leftover: new Set(),
  };
  const progress = (phase: GcPhase): void =>
    onProgress?.({ phase, blobsScanned: run.scanned, blobsDeleted: run.deletedCount });

  progress('mark');
  const mark = await markFrom(state.allReferencedBlobDigests(), signal);
  if (!dryRun) await settleFences(run, mark);

  progress('scan');
  let unmarked: string[] = [];
  let doomed: Doomed[] = [];
  const flush = async (force: boolean): Promise<void> => {
    if (unmarked.length >= SCAN_CHUNK || (force && unmarked.length > 0)) {
      doomed.push(...(await scanChunk(run, unmarked)));
      unmarked = [];
    }
    if (doomed.length >= batchSize || (force && doomed.length > 0)) {
      progress('sweep');
      await sweepBatch(run, doomed);
      doomed = [];
      progress('scan');
    }
  };
  for await (const digest of storage.list()) {
    run.scanned++;
    if (run.scanned % 1000 === 0) {
      signal?.throwIfAborted();
      progress('scan');
    }
    if (mark.has(digest)) continue;
    unmarked.push(digest);
    await flush(false);
  }
  await flush(true);
  if (!dryRun) await forgetUnseen(mod, run.markStart);

  progress('uploads');
  const uploadsRemoved = await sweepUploads(storage, state, new Date(now() - uploadMaxAge), dryRun, signal);
  progress('done');
  return {
    dryRun,
    blobsScanned: run.scanned,
    blobsMarked: mark.size,
    blobsDeleted: run.deletedCount,
    bytesFreed: run.bytesFreed,
    blobsDeferred: run.deferred,
    blobsRescued: run.rescued,
    linksRemoved: run.linksRemoved,
    uploadsRemoved,
    durationMs: Math.max(0, now() - started),
    deleted: run.deleted,
    deletedTruncated: run.deletedCount > run.deleted.length,
  };
}

interface Doomed {
  readonly digest: string;
  readonly links: FencedLink[];
}

/** Reads the links of unmarked blobs; returns those garbage for a whole grace period. */
async function scanChunk(run: Run, digests: readonly string[]): Promise<Doomed[]> {
  const { state } = run.o;
  const stale: Doomed[] = [];
  for (const digest of digests) {
    const links: FencedLink[] = [];
    let fresh = false;
    for (const repository of await state.repositoriesOfBlob(digest)) {
      const link = await state.blobLink(repository, digest);
      if (!link) continue;
      if (link.createdAt.getTime() >= run.cutoff) fresh = true;
      links.push({
        digest,
        repository,
        size: link.size,
        ...(link.mediaType !== undefined ? { mediaType: link.mediaType } : {}),
      });
    }
    if (fresh) run.deferred++;
    else stale.push({ digest, links });
  }
  const firstSeen = await touchCandidates(
    run.mod,
    stale.map((s) => s.digest),
    run.markStart,
    run.o.dryRun,
  );
  return stale.filter((s) => {
    // Linked (or fenced by an interrupted run), but only before the cutoff: stored before that.
    const ok =
      s.links.length > 0 ||
      run.leftover.has(s.digest) ||
      (firstSeen.get(s.digest) ?? run.markStart) < run.cutoff;
    if (!ok) run.deferred++;
    return ok;
  });
}

function recordDeleted(run: Run, digest: string, size: number): void {
  run.deletedCount++;
  if (run.deletedCount % 100 === 0) {
    run.o.onProgress?.({ phase: 'sweep', blobsScanned: run.scanned, blobsDeleted: run.deletedCount });
  }
  run.bytesFreed += size;
  if (run.deleted.length < run.maxReported) run.deleted.push(digest);
}

async function restore(run: Run, digest: string): Promise<void> {
  for (const l of await fencesOf(run.mod, digest)) {
    await run.o.state.linkBlob(l.repository, {
      digest,
      size: l.size,
      ...(l.mediaType !== undefined ? { mediaType: l.mediaType } : {}),
    });
  }
}

/** Fences a batch of doomed blobs, re-marks, and deletes those still unreferenced and unlinked. */
async function sweepBatch(run: Run, batch: readonly Doomed[]): Promise<void> {
  const { storage, state, dryRun, signal } = run.o;
  if (dryRun) {
    for (const { digest } of batch) {
      const st = await storage.stat(digest);
      if (st) recordDeleted(run, digest, st.size);
    }
    return;
  }
  signal?.throwIfAborted();
  await saveFences(
    run.mod,
    batch.flatMap((b) => b.links),
  );
  const fencedAt = new Date(run.cutoff);
  for (const { digest } of batch) await state.unlinkBlobEverywhere(digest, fencedAt);
  let remark: MarkSet;
  try {
    remark = await markFrom(state.allReferencedBlobDigests(), signal);
  } catch (e) {
    // Stopped or failed before deciding: put every link back now rather than at the next run.
    for (const { digest } of batch) {
      await restore(run, digest)
        .then(() => settled(run.mod, digest, false))
        .catch(() => undefined);
    }
    throw e;
  }
  for (const { digest, links } of batch) {
    if (remark.has(digest)) {
      await restore(run, digest);
      await settled(run.mod, digest, true);
      run.rescued++;
      continue;
    }
    if ((await state.repositoriesOfBlob(digest)).length > 0) {
      // Linked again after the fence: a push in progress owns it now.
      await settled(run.mod, digest, false);
      run.deferred++;
      continue;
    }
    const st = await storage.stat(digest);
    if (st && (await storage.delete(digest))) recordDeleted(run, digest, st.size);
    run.linksRemoved += links.length;
    const checkedAt = run.o.now();
    if (!(await storage.stat(digest)) && (await state.repositoriesOfBlob(digest)).length > 0) {
      // Linked between the check and the delete, and the file is gone: refuse manifests naming it.
      run.linksRemoved += await state.unlinkBlobEverywhere(digest, new Date(checkedAt));
    }
    await settled(run.mod, digest, true);
  }
}

/**
 * Fences an interrupted run left: links of blobs now referenced are put
 * back; fences of blobs already deleted are dropped; the rest stay for
 * this run's sweep to finish.
 */
async function settleFences(run: Run, mark: MarkSet): Promise<void> {
  let last: string | undefined;
  for (;;) {
    const page = await fencedDigests(run.mod, last, 500);
    for (const digest of page) {
      if (mark.has(digest)) {
        await restore(run, digest);
        await dropFences(run.mod, digest);
      } else if (!(await run.o.storage.stat(digest))) await dropFences(run.mod, digest);
      else run.leftover.add(digest);
    }
    if (page.length < 500) return;
    last = page[page.length - 1];
  }
}
