// Test support: a real filesystem blob store and a real SQLite state store
// in a temp dir, sharing one adjustable clock, and helpers that store blobs
// and write manifests the way the HTTP layer does.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createFsBlobStore, type FsBlobStore } from '../../storage/index.js';
import { openStateStore, type StateStore } from '../../state/index.js';

export const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export const HOUR = 60 * 60 * 1000;

export interface Clock {
  t: number;
  readonly now: () => number;
}

export function clock(start = Date.now()): Clock {
  const c: Clock = {
    t: start,
    now: () => c.t,
  };
  return c;
}

export interface Fixture {
  readonly dir: string;
  readonly storage: FsBlobStore;
  readonly state: StateStore;
  readonly clock: Clock;
  close(): Promise<void>;
}

export async function openAt(dir: string, c: Clock): Promise<Omit<Fixture, 'close' | 'dir'>> {
  const storage = await createFsBlobStore(join(dir, 'blobs'), { fsync: false });
  const state = await openStateStore({ kind: 'sqlite', path: join(dir, 'state.db'), now: c.now });
  return { storage, state, clock: c };
}

/** A fixture whose state store `open` gives (PostgreSQL, …), the blob store in a temp dir. */
export async function fixtureOn(
  c: Clock,
  open: (now: () => number) => Promise<StateStore>,
): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-gc-'));
  const storage = await createFsBlobStore(join(dir, 'blobs'), { fsync: false });
  const state = await open(c.now);
  return {
    storage,
    state,
    clock: c,
    dir,
    async close() {
      await state.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function fixture(c: Clock = clock()): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-gc-'));
  const f = await openAt(dir, c);
  return {
    ...f,
    dir,
    async close() {
      await f.state.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Stores bytes in the blob store, optionally linking them into a repository. */
export async function blob(
  f: Pick<Fixture, 'storage' | 'state'>,
  data: Buffer | string,
  repository?: string,
): Promise<string> {
  const b = Buffer.isBuffer(data) ? data : Buffer.from(data);
  const digest = sha(b);
  await f.storage.put(digest, Readable.from([b]), b.length);
  if (repository !== undefined) await f.state.linkBlob(repository, { digest, size: b.length });
  return digest;
}

export interface Pushed {
  readonly digest: string;
  readonly blobs: string[];
}

/**
 * Writes an image manifest as the HTTP layer does: its blobs are stored and
 * linked, its bytes stored under its digest, its row written, its bytes linked.
 */
export async function image(
  f: Pick<Fixture, 'storage' | 'state'>,
  repository: string,
  layers: readonly (Buffer | string)[],
  opts: { tag?: string; subject?: string; config?: string } = {},
): Promise<Pushed> {
  const config = await blob(f, opts.config ?? `{"config":"${randomBytes(8).toString('hex')}"}`, repository);
  const layerDigests: string[] = [];
  for (const l of layers) layerDigests.push(await blob(f, l, repository));
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      config,
      layers: layerDigests,
      ...(opts.subject !== undefined ? { subject: opts.subject } : {}),
    }),
  );
  const digest = await blob(f, body);
  const r = await f.state.putManifest(
    repository,
    {
      digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: body.length,
      configDigest: config,
      blobs: [config, ...layerDigests],
      ...(opts.subject !== undefined ? { subjectDigest: opts.subject } : {}),
    },
    opts.tag !== undefined ? { tag: opts.tag } : {},
  );
  if (r.status !== 'stored') throw new Error(`manifest not stored: ${JSON.stringify(r)}`);
  await f.state.linkBlob(repository, { digest, size: body.length });
  return { digest, blobs: [config, ...layerDigests, digest] };
}

/** Writes an index listing `children` (manifests of the repository). */
export async function index(
  f: Pick<Fixture, 'storage' | 'state'>,
  repository: string,
  children: readonly string[],
  tag?: string,
): Promise<Pushed> {
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: children }));
  const digest = await blob(f, body);
  const r = await f.state.putManifest(
    repository,
    {
      digest,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      size: body.length,
      children: [...children],
    },
    tag !== undefined ? { tag } : {},
  );
  if (r.status !== 'stored') throw new Error(`index not stored: ${JSON.stringify(r)}`);
  await f.state.linkBlob(repository, { digest, size: body.length });
  return { digest, blobs: [digest] };
}

/** The blob's bytes hash to its digest. */
export async function intact(storage: FsBlobStore, digest: string): Promise<boolean> {
  const opened = await storage.open(digest);
  if (!opened) return false;
  const h = createHash('sha256');
  for await (const chunk of opened.stream) h.update(chunk as Buffer);
  return `sha256:${h.digest('hex')}` === digest;
}

export async function present(storage: FsBlobStore, digests: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const d of digests) if (await storage.stat(d)) out.push(d);
  return out;
}
