import type { Readable } from 'node:stream';
import { MamoriError } from '../core/index.js';
import {
  MAX_CONFIG_BYTES,
  MAX_MANIFEST_BYTES,
  digestOf,
  parseImageConfig,
  parseManifest,
  verifyBytes,
} from './manifest.js';
import { hostPlatform, selectManifest } from './platform.js';
import { isDigest } from './reference.js';
import type { BlobStore, Descriptor, LayerDescriptor, Platform, ResolvedImage } from './types.js';

/** Reads a whole stream, failing as soon as it grows past `max` bytes. */
export async function readBounded(stream: Readable, max: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > max) {
        throw new MamoriError('LIMIT_EXCEEDED', `${what} is larger than ${max} bytes`);
      }
      chunks.push(chunk);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks, total);
}

/** Reads a small blob (config) and verifies its size and digest. */
export async function readBlob(
  store: BlobStore,
  desc: Descriptor,
  max: number,
  what: string,
): Promise<Buffer> {
  if (desc.size > max)
    throw new MamoriError('LIMIT_EXCEEDED', `${what} declares ${desc.size} bytes (limit ${max})`);
  const bytes = await readBounded(await store.openBlob(desc.digest, desc.size), max, what);
  verifyBytes(what, bytes, desc.digest, desc.size);
  return bytes;
}

export interface ResolveOptions {
  readonly platform?: Platform;
}

/**
 * Resolves a tag or digest in a BlobStore to one image: follows an index to
 * the wanted platform, and verifies every manifest and the config against
 * their digests and sizes.
 */
export async function resolveImage(
  store: BlobStore,
  reference: string,
  opts: ResolveOptions = {},
): Promise<ResolvedImage> {
  const want = opts.platform ?? hostPlatform();
  let raw = await store.fetchManifest(reference, MAX_MANIFEST_BYTES);
  let expected = isDigest(reference) ? reference : raw.digest;
  let what = `${store.name} manifest ${reference || '(index)'}`;
  let indexDigest: string | undefined;
  for (let depth = 0; ; depth++) {
    let digest: string | undefined;
    if (expected) {
      verifyBytes(what, raw.bytes, expected);
      digest = expected;
    } else if (reference !== '') {
      digest = digestOf(raw.bytes, 'sha256:');
    }
    const parsed = parseManifest(raw.bytes, raw.mediaType, what);
    if (parsed.kind === 'image') {
      const configWhat = `${store.name} config ${parsed.config.digest}`;
      const configBytes = await readBlob(store, parsed.config, MAX_CONFIG_BYTES, configWhat);
      const config = parseImageConfig(configBytes, configWhat, parsed.layers.length);
      const layers: LayerDescriptor[] = parsed.layers.map((l, index) => ({
        index,
        digest: l.digest,
        diffId: config.rootfs.diff_ids[index] as string,
        size: l.size,
        mediaType: l.mediaType,
      }));
      const platform: Platform | undefined =
        config.os && config.architecture
          ? {
              os: config.os,
              architecture: config.architecture,
              ...(config.variant ? { variant: config.variant } : {}),
            }
          : undefined;
      return {
        ...(digest ? { manifestDigest: digest } : {}),
        manifestMediaType: parsed.mediaType,
        ...(indexDigest ? { indexDigest } : {}),
        configDigest: parsed.config.digest,
        config,
        ...(platform ? { platform } : {}),
        layers,
      };
    }
    if (depth >= 2) throw new MamoriError('INVALID_MANIFEST', `${what}: indexes nested too deeply`);
    indexDigest = digest;
    const chosen = selectManifest(parsed.manifests, want, what);
    raw = await store.fetchManifest(chosen.digest, Math.min(MAX_MANIFEST_BYTES, chosen.size));
    verifyBytes(`${store.name} manifest ${chosen.digest}`, raw.bytes, chosen.digest, chosen.size);
    expected = chosen.digest;
    what = `${store.name} manifest ${chosen.digest}`;
  }
}
