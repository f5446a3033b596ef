/**
 * A stored manifest, read back from storage and sorted into what the
 * scanner does with it: scan an image, follow an index, skip the rest (an
 * artifact that is not an image, a manifest the registry can no longer
 * parse). Never throws for bad content; only storage and state errors pass.
 */
import { readBounded } from '../../image/index.js';
import {
  MAX_MANIFEST_BYTES,
  MediaTypes,
  isRegistryError,
  parseManifest,
  type ParsedManifest,
} from '../spec/index.js';
import type { ManifestRecord, StateStore } from '../state/index.js';
import type { BlobStore as Storage } from '../storage/index.js';

/** Config media types of container images: what makes a manifest an image rather than another artifact. */
export const IMAGE_CONFIG_TYPES: ReadonlySet<string> = new Set([
  MediaTypes.ociConfig,
  MediaTypes.dockerConfig,
]);

export const INDEX_TYPES: ReadonlySet<string> = new Set([MediaTypes.ociIndex, MediaTypes.dockerManifestList]);

export type StoredManifest =
  | {
      readonly kind: 'image';
      readonly record: ManifestRecord;
      readonly bytes: Buffer;
      readonly parsed: ParsedManifest;
    }
  | {
      readonly kind: 'index';
      readonly record: ManifestRecord;
      readonly bytes: Buffer;
      readonly parsed: ParsedManifest;
    }
  | { readonly kind: 'not-image'; readonly record: ManifestRecord; readonly reason: string }
  | { readonly kind: 'unreadable'; readonly record: ManifestRecord; readonly reason: string };

/** The manifest `digest` of `repository`; undefined when the repository does not hold it. */
export async function loadManifest(
  storage: Storage,
  state: StateStore,
  repository: string,
  digest: string,
): Promise<StoredManifest | undefined> {
  const record = await state.getManifest(repository, digest);
  if (!record) return undefined;
  if (record.size > MAX_MANIFEST_BYTES) {
    return {
      kind: 'unreadable',
      record,
      reason: `manifest ${digest} is larger than ${MAX_MANIFEST_BYTES} bytes`,
    };
  }
  const opened = await storage.open(digest);
  if (!opened) return { kind: 'unreadable', record, reason: `manifest ${digest} is missing from storage` };
  const bytes = await readBounded(opened.stream, MAX_MANIFEST_BYTES, `manifest ${digest}`);
  let parsed: ParsedManifest;
  try {
    parsed = parseManifest(bytes, record.mediaType);
  } catch (e) {
    if (!isRegistryError(e)) throw e;
    return { kind: 'unreadable', record, reason: `manifest ${digest} is not a valid manifest: ${e.message}` };
  }
  if (parsed.kind === 'index') return { kind: 'index', record, bytes, parsed };
  const configType = parsed.config?.mediaType;
  if (configType === undefined || !IMAGE_CONFIG_TYPES.has(configType)) {
    const what = parsed.artifactType ?? configType ?? 'unknown';
    return { kind: 'not-image', record, reason: `not a container image (artifact type ${what})` };
  }
  return { kind: 'image', record, bytes, parsed };
}
