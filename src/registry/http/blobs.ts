import { RegistryError, parseDigest, parseRepositoryName } from '../spec/index.js';
import type { ByteRange, UploadSession } from '../storage/index.js';
import { StorageError, isStorageError } from '../storage/index.js';
import { uploadRange } from './errors.js';
import { contentLength, emit, hasBody, header, v2Path } from './context.js';
import type { RegistryContext, RegistryRequest, Reply } from './context.js';

/**
 * Parses a single-range `Range: bytes=START-END` / `bytes=START-` header;
 * undefined when absent or not a single byte range (served as a whole blob,
 * as RFC 9110 allows). A suffix range `bytes=-N` is resolved against `size`.
 */
export function parseRangeHeader(value: string | undefined, size: number): ByteRange | undefined {
  if (value === undefined) return undefined;
  const m = /^bytes=([0-9]{0,15})-([0-9]{0,15})$/.exec(value.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) throw new StorageError('RANGE_INVALID', 'requested range not satisfiable', { size });
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? Number.MAX_SAFE_INTEGER : Number(m[2]);
  if (end < start) return undefined;
  return { start, end };
}

async function requireLinked(ctx: RegistryContext, name: string, digest: string): Promise<void> {
  if (!(await ctx.state.isBlobLinked(name, digest))) {
    throw new RegistryError('BLOB_UNKNOWN', undefined, { detail: { digest } });
  }
}

/** `GET`/`HEAD /v2/<name>/blobs/<digest>`, with single-range support. */
export async function getBlob(
  ctx: RegistryContext,
  req: RegistryRequest,
  name: string,
  rawDigest: string,
): Promise<Reply> {
  const digest = parseDigest(rawDigest).digest;
  await requireLinked(ctx, name, digest);
  const stat = await ctx.storage.stat(digest);
  if (!stat) throw new RegistryError('BLOB_UNKNOWN', undefined, { detail: { digest } });
  const range = parseRangeHeader(header(req, 'range'), stat.size);
  const base = {
    'content-type': 'application/octet-stream',
    'docker-content-digest': digest,
    'accept-ranges': 'bytes',
    etag: `"${digest}"`,
  };
  if (range && range.start >= stat.size) {
    throw new StorageError('RANGE_INVALID', 'requested range not satisfiable', { size: stat.size });
  }
  if (req.method === 'HEAD') {
    if (!range) return { status: 200, headers: base, headLength: stat.size };
    const end = Math.min(range.end, stat.size - 1);
    return {
      status: 206,
      headers: { ...base, 'content-range': `bytes ${range.start}-${end}/${stat.size}` },
      headLength: end - range.start + 1,
    };
  }
  const opened = await ctx.storage.open(digest, range);
  if (!opened) throw new RegistryError('BLOB_UNKNOWN', undefined, { detail: { digest } });
  if (!opened.range) {
    return {
      status: 200,
      headers: { ...base, 'content-length': String(opened.size) },
      stream: opened.stream,
    };
  }
  const { start, end } = opened.range;
  return {
    status: 206,
    headers: {
      ...base,
      'content-length': String(end - start + 1),
      'content-range': `bytes ${start}-${end}/${opened.size}`,
    },
    stream: opened.stream,
  };
}

/** `DELETE /v2/<name>/blobs/<digest>`: unlinks the blob from the repository (202). */
export async function deleteBlob(
  ctx: RegistryContext,
  req: RegistryRequest,
  name: string,
  rawDigest: string,
): Promise<Reply> {
  const digest = parseDigest(rawDigest).digest;
  if (!(await ctx.state.unlinkBlob(name, digest))) {
    throw new RegistryError('BLOB_UNKNOWN', undefined, { detail: { digest } });
  }
  emit(ctx, {
    type: 'delete',
    caller: req.caller,
    remote: req.remote,
    repository: name,
    reference: digest,
    what: 'blob',
  });
  return { status: 202, headers: { 'content-length': '0' } };
}

function blobCreated(name: string, digest: string): Reply {
  return {
    status: 201,
    headers: {
      location: v2Path(name, 'blobs', digest),
      'docker-content-digest': digest,
      'content-length': '0',
    },
  };
}

function uploadReply(status: number, name: string, session: UploadSession): Reply {
  return {
    status,
    headers: {
      location: v2Path(name, 'blobs', 'uploads', session.id),
      range: uploadRange(session.size),
      'docker-upload-uuid': session.id,
      'content-length': '0',
    },
  };
}

/** `POST /v2/<name>/blobs/uploads/`: monolithic upload (`?digest=`), mount (`?mount=&from=`) or a new session. */
export async function startUpload(ctx: RegistryContext, req: RegistryRequest, name: string): Promise<Reply> {
  const mount = req.query.get('mount');
  const from = req.query.get('from');
  if (mount !== null && from !== null) {
    const digest = parseDigest(mount).digest;
    const source = parseRepositoryName(from);
    if ((await ctx.storage.stat(digest)) && (await ctx.state.mountBlob(source, name, digest))) {
      req.body.resume();
      return blobCreated(name, digest);
    }
  }
  const digestParam = req.query.get('digest');
  if (digestParam !== null && mount === null) {
    const digest = parseDigest(digestParam).digest;
    const stat = await ctx.storage.put(digest, req.body, contentLength(req));
    await ctx.state.linkBlob(name, { digest, size: stat.size });
    return blobCreated(name, digest);
  }
  req.body.resume();
  const session = await ctx.storage.startUpload();
  await ctx.state.startUpload(session.id, name);
  return uploadReply(202, name, session);
}

const UPLOAD_ID = /^[A-Za-z0-9_-]{1,128}$/;

async function session(ctx: RegistryContext, name: string, id: string): Promise<UploadSession> {
  const unknown = new RegistryError('BLOB_UPLOAD_UNKNOWN', undefined, { detail: { id: id.slice(0, 128) } });
  if (!UPLOAD_ID.test(id)) throw unknown;
  const record = await ctx.state.getUpload(id);
  if (!record || record.repository !== name) throw unknown;
  const s = await ctx.storage.getUpload(id);
  if (!s) throw unknown;
  return s;
}

/** Parses `Content-Range: START-END` (also accepting a `bytes ` prefix). */
function parseContentRange(value: string): ByteRange {
  const m = /^(?:bytes )?([0-9]{1,15})-([0-9]{1,15})(?:\/[0-9*]+)?$/.exec(value.trim());
  if (!m || Number(m[2]) < Number(m[1])) {
    throw new RegistryError('BLOB_UPLOAD_INVALID', 'malformed Content-Range header', { status: 416 });
  }
  return { start: Number(m[1]), end: Number(m[2]) };
}

/** `PATCH /v2/<name>/blobs/uploads/<id>`: appends a chunk, streamed. */
export async function patchUpload(
  ctx: RegistryContext,
  req: RegistryRequest,
  name: string,
  id: string,
): Promise<Reply> {
  const s = await session(ctx, name, id);
  const cr = header(req, 'content-range');
  let offset = s.size;
  let expected = contentLength(req);
  if (cr !== undefined) {
    const range = parseContentRange(cr);
    if (range.start !== s.size) {
      throw new StorageError(
        'BLOB_UPLOAD_INVALID',
        `chunk starts at ${range.start}, the upload holds ${s.size} bytes`,
        { size: s.size },
      );
    }
    offset = range.start;
    const length = range.end - range.start + 1;
    if (expected !== undefined && expected !== length) {
      throw new RegistryError('SIZE_INVALID', 'Content-Length does not match Content-Range', { status: 400 });
    }
    expected = length;
  }
  const updated = await ctx.storage.append(id, offset, req.body, expected);
  await ctx.state.touchUpload(id);
  return uploadReply(202, name, updated);
}

/** `PUT /v2/<name>/blobs/uploads/<id>?digest=`: completes the upload with an optional last chunk. */
export async function finishUpload(
  ctx: RegistryContext,
  req: RegistryRequest,
  name: string,
  id: string,
): Promise<Reply> {
  await session(ctx, name, id);
  const raw = req.query.get('digest');
  if (raw === null) throw new RegistryError('DIGEST_INVALID', 'the digest query parameter is required');
  const digest = parseDigest(raw).digest;
  try {
    const stat = await ctx.storage.commit(id, digest, hasBody(req) ? req.body : undefined);
    await ctx.state.linkBlob(name, { digest, size: stat.size });
  } catch (e) {
    if (isStorageError(e, 'DIGEST_INVALID')) await ctx.state.endUpload(id);
    throw e;
  }
  await ctx.state.endUpload(id);
  return blobCreated(name, digest);
}

/** `GET /v2/<name>/blobs/uploads/<id>`: the upload's progress (204 + Range). */
export async function uploadStatus(ctx: RegistryContext, name: string, id: string): Promise<Reply> {
  return uploadReply(204, name, await session(ctx, name, id));
}

/** `DELETE /v2/<name>/blobs/uploads/<id>`: cancels the upload (204). */
export async function cancelUpload(ctx: RegistryContext, name: string, id: string): Promise<Reply> {
  await session(ctx, name, id);
  await ctx.storage.cancel(id);
  await ctx.state.endUpload(id);
  return { status: 204 };
}
