import { Readable } from 'node:stream';
import {
  MAX_MANIFEST_BYTES,
  RegistryError,
  digestOf,
  parseManifest,
  parseReference,
  referencedBlobs,
  referencedManifests,
} from '../spec/index.js';
import type { Reference } from '../spec/index.js';
import { contentLength, emit, header, v2Path } from './context.js';
import type { RegistryContext, RegistryRequest, Reply } from './context.js';

function tooLarge(size: number): RegistryError {
  return new RegistryError('MANIFEST_INVALID', `manifest is larger than ${MAX_MANIFEST_BYTES} bytes`, {
    status: 413,
    detail: { size, limit: MAX_MANIFEST_BYTES },
  });
}

/** Reads a request body of at most `MAX_MANIFEST_BYTES`; a longer one is refused as soon as it is seen. */
export async function readManifestBody(req: RegistryRequest): Promise<Buffer> {
  const declared = contentLength(req);
  if (declared !== undefined && declared > MAX_MANIFEST_BYTES) throw tooLarge(declared);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req.body) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    total += b.length;
    if (total > MAX_MANIFEST_BYTES) throw tooLarge(total);
    chunks.push(b);
  }
  return Buffer.concat(chunks, total);
}

/**
 * The reference of a read or delete: a tag outside the grammar cannot name
 * anything stored, so it is unknown (404, as the spec wants for a missing
 * manifest), not invalid; a malformed digest stays a 400.
 */
function lookupReference(reference: string): Reference {
  try {
    return parseReference(reference);
  } catch (e) {
    if (e instanceof RegistryError && e.code === 'MANIFEST_INVALID') {
      throw new RegistryError('MANIFEST_UNKNOWN', undefined, { detail: { tag: reference.slice(0, 256) } });
    }
    throw e;
  }
}

async function resolve(ctx: RegistryContext, name: string, ref: Reference): Promise<string> {
  if (ref.kind === 'digest') return ref.digest;
  const tag = await ctx.state.resolveTag(name, ref.tag);
  if (!tag) throw new RegistryError('MANIFEST_UNKNOWN', undefined, { detail: { tag: ref.tag } });
  return tag.digest;
}

/** `GET`/`HEAD /v2/<name>/manifests/<reference>`: serves the stored bytes with their media type. */
export async function getManifest(
  ctx: RegistryContext,
  req: RegistryRequest,
  name: string,
  reference: string,
): Promise<Reply> {
  const digest = await resolve(ctx, name, lookupReference(reference));
  const record = await ctx.state.getManifest(name, digest);
  if (!record) throw new RegistryError('MANIFEST_UNKNOWN', undefined, { detail: { digest } });
  const headers = {
    'content-type': record.mediaType,
    'docker-content-digest': digest,
    etag: `"${digest}"`,
  };
  if (req.method === 'HEAD') return { status: 200, headers, headLength: record.size };
  if (ctx.hooks.checkPull) {
    try {
      await ctx.hooks.checkPull(req.caller, name, digest);
    } catch (e) {
      emit(ctx, {
        type: 'denied',
        caller: req.caller,
        remote: req.remote,
        repository: name,
        actions: ['pull'],
        reason: e instanceof Error ? e.message : 'pull refused by policy',
      });
      throw e;
    }
  }
  // A manifest is small: one read, no stream.
  const bytes = await ctx.storage.read(digest, MAX_MANIFEST_BYTES);
  if (!bytes) throw new RegistryError('MANIFEST_UNKNOWN', undefined, { detail: { digest } });
  emit(ctx, { type: 'pull', caller: req.caller, remote: req.remote, repository: name, digest, reference });
  return { status: 200, headers: { ...headers, 'content-length': String(bytes.length) }, body: bytes };
}

/** `PUT /v2/<name>/manifests/<reference>`: validates, checks references, stores and tags a manifest. */
export async function putManifest(
  ctx: RegistryContext,
  req: RegistryRequest,
  name: string,
  reference: string,
): Promise<Reply> {
  const ref = parseReference(reference);
  const bytes = await readManifestBody(req);
  const parsed = parseManifest(bytes, header(req, 'content-type'));
  const digest = digestOf(bytes, ref.kind === 'digest' ? ref.algorithm : 'sha256');
  if (ref.kind === 'digest' && digest !== ref.digest) {
    throw new RegistryError('DIGEST_INVALID', 'the manifest does not match the digest it was pushed under', {
      detail: { expected: ref.digest, actual: digest },
    });
  }
  if (ref.kind === 'tag' && ctx.hooks.checkTag) {
    const current = await ctx.state.resolveTag(name, ref.tag);
    if (current?.digest !== digest) {
      await ctx.hooks.checkTag(req.caller, name, ref.tag, current?.digest, digest);
    }
  }
  await ctx.storage.put(digest, Readable.from([bytes]), bytes.length);
  const result = await ctx.state.putManifest(
    name,
    {
      digest,
      mediaType: parsed.mediaType,
      size: bytes.length,
      ...(parsed.artifactType !== undefined ? { artifactType: parsed.artifactType } : {}),
      ...(parsed.subject ? { subjectDigest: parsed.subject.digest } : {}),
      ...(parsed.config ? { configDigest: parsed.config.digest } : {}),
      ...(parsed.annotations ? { annotations: parsed.annotations } : {}),
      blobs: referencedBlobs(parsed).map((d) => d.digest),
      children: referencedManifests(parsed).map((d) => d.digest),
    },
    ref.kind === 'tag' ? { tag: ref.tag } : {},
  );
  if (result.status === 'missing') {
    throw new RegistryError('MANIFEST_BLOB_UNKNOWN', undefined, {
      detail: { blobs: result.blobs, manifests: result.manifests },
    });
  }
  await ctx.state.linkBlob(name, { digest, size: bytes.length, mediaType: parsed.mediaType });
  emit(ctx, {
    type: 'push',
    caller: req.caller,
    remote: req.remote,
    repository: name,
    digest,
    mediaType: parsed.mediaType,
    ...(ref.kind === 'tag' ? { tag: ref.tag } : {}),
    ...(parsed.subject ? { subject: parsed.subject.digest } : {}),
  });
  return {
    status: 201,
    headers: {
      location: v2Path(name, 'manifests', digest),
      'docker-content-digest': digest,
      'content-length': '0',
      ...(parsed.subject ? { 'oci-subject': parsed.subject.digest } : {}),
    },
  };
}

/** `DELETE /v2/<name>/manifests/<reference>`: a digest deletes the manifest and its tags, a tag only the tag (202). */
export async function deleteManifest(
  ctx: RegistryContext,
  req: RegistryRequest,
  name: string,
  reference: string,
): Promise<Reply> {
  const ref = lookupReference(reference);
  const deleted = (what: 'manifest' | 'tag'): Reply => {
    emit(ctx, { type: 'delete', caller: req.caller, remote: req.remote, repository: name, reference, what });
    return { status: 202, headers: { 'content-length': '0' } };
  };
  const { checkTag } = ctx.hooks;
  if (ref.kind === 'tag') {
    if (checkTag) {
      const current = await ctx.state.resolveTag(name, ref.tag);
      if (current) await checkTag(req.caller, name, ref.tag, current.digest, undefined);
    }
    if (!(await ctx.state.deleteTag(name, ref.tag))) {
      throw new RegistryError('MANIFEST_UNKNOWN', undefined, { detail: { tag: ref.tag } });
    }
    return deleted('tag');
  }
  if (checkTag) {
    for (const tag of await ctx.state.tagsOf(name, ref.digest)) {
      await checkTag(req.caller, name, tag, ref.digest, undefined);
    }
  }
  const result = await ctx.state.deleteManifest(name, ref.digest);
  if (result.status === 'not-found') {
    throw new RegistryError('MANIFEST_UNKNOWN', undefined, { detail: { digest: ref.digest } });
  }
  if (result.status === 'referenced') {
    throw new RegistryError('DENIED', 'the manifest is listed by an index of the repository', {
      status: 409,
      detail: { parents: result.parents },
    });
  }
  return deleted('manifest');
}
