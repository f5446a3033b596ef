/**
 * Abandoned uploads: sessions untouched for longer than the maximum age,
 * known to the state store (its upload index), to the blob store (bytes
 * received so far), or to only one of them after a crash between the two
 * writes that open a session. Both sides are removed.
 */
import { isStorageError } from '../storage/index.js';
import type { BlobStore } from '../storage/index.js';
import type { StateStore } from '../state/index.js';

/** State rows fetched per round, and blob-store sessions collected per pass. */
const PAGE = 500;
const STORAGE_PASS = 10_000;

async function cancelQuietly(storage: BlobStore, id: string): Promise<boolean> {
  try {
    await storage.cancel(id);
    return true;
  } catch (e) {
    if (isStorageError(e, 'BLOB_UPLOAD_UNKNOWN')) return false;
    throw e;
  }
}

/** Removes uploads untouched since `before`; returns how many sessions went (or would go, on a dry run). */
export async function sweepUploads(
  storage: BlobStore,
  state: StateStore,
  before: Date,
  dryRun: boolean,
  signal?: AbortSignal,
): Promise<number> {
  let removed = 0;
  const seen = new Set<string>();
  for (;;) {
    signal?.throwIfAborted();
    const rows = await state.staleUploads(before, PAGE);
    let progress = false;
    for (const r of rows) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      removed++;
      if (dryRun) continue;
      await cancelQuietly(storage, r.id);
      progress = (await state.endUpload(r.id)) || progress;
    }
    // A dry run sees the same page again; a real one stops when a round removed nothing.
    if (rows.length < PAGE || dryRun || !progress) break;
  }
  // Sessions the blob store holds without a stale state row: a crash between the two writes.
  const ids: string[] = [];
  for await (const id of storage.staleUploads(before)) {
    if (seen.has(id)) continue;
    ids.push(id);
    if (ids.length >= STORAGE_PASS) break;
  }
  for (const id of ids) {
    signal?.throwIfAborted();
    const record = await state.getUpload(id).catch(() => undefined);
    if (record && record.lastTouched.getTime() >= before.getTime()) continue;
    if (dryRun) {
      removed++;
      continue;
    }
    if (await cancelQuietly(storage, id)) removed++;
    if (record) await state.endUpload(id);
  }
  return removed;
}
