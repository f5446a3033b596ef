import { createHash } from 'node:crypto';
import { MamoriError } from '../core/index.js';
import { isDigest } from './reference.js';
import type { Descriptor, ImageConfig, Platform } from './types.js';

export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** Media types a layer may have. Foreign (non-distributable) layers are accepted and read the same way. */
const LAYER_TYPES = new Set([
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.diff.tar',
]);

export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;
const MAX_LAYERS = 1024;
const MAX_INDEX_ENTRIES = 4096;

export type ParsedManifest =
  | { readonly kind: 'index'; readonly mediaType: string; readonly manifests: readonly Descriptor[] }
  | {
      readonly kind: 'image';
      readonly mediaType: string;
      readonly config: Descriptor;
      readonly layers: readonly Descriptor[];
    };

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Digest of `bytes` with the algorithm of `expected`. */
export function digestOf(bytes: Uint8Array, expected: string): string {
  const algo = expected.startsWith('sha512:') ? 'sha512' : 'sha256';
  return `${algo}:${createHash(algo).update(bytes).digest('hex')}`;
}

export function verifyBytes(what: string, bytes: Uint8Array, digest: string, size?: number): void {
  if (size !== undefined && bytes.length !== size) {
    throw new MamoriError('SIZE_MISMATCH', `${what}: ${bytes.length} bytes, the descriptor says ${size}`);
  }
  const actual = digestOf(bytes, digest);
  if (actual !== digest) {
    throw new MamoriError('DIGEST_MISMATCH', `${what}: content digest ${actual} does not match ${digest}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function parseJson(bytes: Buffer, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new MamoriError('INVALID_MANIFEST', `${what} is not valid JSON`, { cause: e });
  }
  if (!isRecord(v)) throw new MamoriError('INVALID_MANIFEST', `${what} is not a JSON object`);
  return v;
}

function parsePlatform(v: unknown): Platform | undefined {
  if (!isRecord(v)) return undefined;
  const os = str(v.os);
  const architecture = str(v.architecture);
  if (!os || !architecture) return undefined;
  const variant = str(v.variant);
  const osVersion = str(v['os.version']);
  return {
    os,
    architecture,
    ...(variant ? { variant } : {}),
    ...(osVersion ? { 'os.version': osVersion } : {}),
  };
}

export function parseDescriptor(v: unknown, what: string): Descriptor {
  if (!isRecord(v)) throw new MamoriError('INVALID_MANIFEST', `${what}: descriptor is not an object`);
  const mediaType = str(v.mediaType) ?? '';
  const digest = str(v.digest);
  const size = v.size;
  if (!digest || !isDigest(digest)) {
    throw new MamoriError('INVALID_MANIFEST', `${what}: invalid digest ${JSON.stringify(v.digest)}`);
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new MamoriError('INVALID_MANIFEST', `${what}: invalid size ${JSON.stringify(size)}`);
  }
  const platform = parsePlatform(v.platform);
  const annotations: Record<string, string> = {};
  if (isRecord(v.annotations)) {
    for (const [k, a] of Object.entries(v.annotations)) if (typeof a === 'string') annotations[k] = a;
  }
  const artifactType = str(v.artifactType);
  return {
    mediaType,
    digest,
    size,
    ...(platform ? { platform } : {}),
    ...(Object.keys(annotations).length ? { annotations } : {}),
    ...(artifactType ? { artifactType } : {}),
  };
}

/** Parses and validates an image manifest or index (OCI or Docker schema 2). */
export function parseManifest(bytes: Buffer, declaredType: string, what: string): ParsedManifest {
  const m = parseJson(bytes, what);
  const declared = declaredType.split(';')[0]?.trim() ?? '';
  const mediaType = str(m.mediaType) ?? declared;
  if (
    mediaType === MediaTypes.dockerSchema1 ||
    mediaType === MediaTypes.dockerSchema1Signed ||
    m.schemaVersion === 1
  ) {
    throw new MamoriError('INVALID_MANIFEST', `${what}: Docker schema 1 manifests are not supported`);
  }
  if (m.schemaVersion !== 2) throw new MamoriError('INVALID_MANIFEST', `${what}: schemaVersion must be 2`);
  const isIndex =
    mediaType === MediaTypes.ociIndex ||
    mediaType === MediaTypes.dockerList ||
    (mediaType === '' && Array.isArray(m.manifests) && m.layers === undefined);
  if (isIndex) {
    if (!Array.isArray(m.manifests))
      throw new MamoriError('INVALID_MANIFEST', `${what}: index has no manifests`);
    if (m.manifests.length > MAX_INDEX_ENTRIES) {
      throw new MamoriError(
        'LIMIT_EXCEEDED',
        `${what}: index lists more than ${MAX_INDEX_ENTRIES} manifests`,
      );
    }
    const manifests = m.manifests.map((d, i) => parseDescriptor(d, `${what} manifests[${i}]`));
    return { kind: 'index', mediaType: mediaType || MediaTypes.ociIndex, manifests };
  }
  if (!Array.isArray(m.layers)) throw new MamoriError('INVALID_MANIFEST', `${what}: manifest has no layers`);
  if (m.layers.length > MAX_LAYERS) {
    throw new MamoriError('LIMIT_EXCEEDED', `${what}: more than ${MAX_LAYERS} layers`);
  }
  const config = parseDescriptor(m.config, `${what} config`);
  const layers = m.layers.map((d, i) => parseDescriptor(d, `${what} layers[${i}]`));
  for (const [i, l] of layers.entries()) {
    if (l.mediaType && !LAYER_TYPES.has(l.mediaType)) {
      throw new MamoriError(
        'INVALID_MANIFEST',
        `${what} layers[${i}]: unsupported layer media type "${l.mediaType}" (not a container image?)`,
      );
    }
  }
  return { kind: 'image', mediaType: mediaType || MediaTypes.ociManifest, config, layers };
}

/** Parses and validates an image config; `layerCount` is the number of layers the manifest lists. */
export function parseImageConfig(bytes: Buffer, what: string, layerCount: number): ImageConfig {
  const c = parseJson(bytes, what);
  const rootfs = c.rootfs;
  if (!isRecord(rootfs) || !Array.isArray(rootfs.diff_ids)) {
    throw new MamoriError('INVALID_MANIFEST', `${what}: no rootfs.diff_ids`);
  }
  const diffIds = rootfs.diff_ids;
  if (!diffIds.every((d): d is string => typeof d === 'string' && isDigest(d))) {
    throw new MamoriError('INVALID_MANIFEST', `${what}: rootfs.diff_ids holds an invalid digest`);
  }
  if (diffIds.length !== layerCount) {
    throw new MamoriError(
      'INVALID_MANIFEST',
      `${what}: ${diffIds.length} diff_ids for ${layerCount} layers in the manifest`,
    );
  }
  // Keep only fields of the expected types; the rest of the config is not trusted.
  const cfg = isRecord(c.config) ? c.config : {};
  const strArr = (v: unknown): string[] | undefined =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
  const strMap = (v: unknown): Record<string, string> | undefined => {
    if (!isRecord(v)) return undefined;
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
    return out;
  };
  const objMap = (v: unknown): Record<string, unknown> | undefined => (isRecord(v) ? v : undefined);
  const history = Array.isArray(c.history)
    ? c.history.filter(isRecord).map((h) => ({
        ...(str(h.created) ? { created: str(h.created) } : {}),
        ...(str(h.created_by) ? { created_by: str(h.created_by) } : {}),
        ...(h.empty_layer === true ? { empty_layer: true } : {}),
        ...(str(h.comment) ? { comment: str(h.comment) } : {}),
      }))
    : undefined;
  const config: NonNullable<ImageConfig['config']> = {
    ...(str(cfg.User) !== undefined ? { User: str(cfg.User) } : {}),
    ...(strArr(cfg.Env) ? { Env: strArr(cfg.Env) } : {}),
    ...(strArr(cfg.Entrypoint) ? { Entrypoint: strArr(cfg.Entrypoint) } : {}),
    ...(strArr(cfg.Cmd) ? { Cmd: strArr(cfg.Cmd) } : {}),
    ...(str(cfg.WorkingDir) ? { WorkingDir: str(cfg.WorkingDir) } : {}),
    ...(strMap(cfg.Labels) ? { Labels: strMap(cfg.Labels) } : {}),
    ...(objMap(cfg.ExposedPorts) ? { ExposedPorts: objMap(cfg.ExposedPorts) } : {}),
    ...(objMap(cfg.Volumes) ? { Volumes: objMap(cfg.Volumes) } : {}),
    ...(cfg.Healthcheck !== undefined ? { Healthcheck: cfg.Healthcheck } : {}),
    ...(str(cfg.StopSignal) ? { StopSignal: str(cfg.StopSignal) } : {}),
  };
  return {
    ...(str(c.architecture) ? { architecture: str(c.architecture) } : {}),
    ...(str(c.os) ? { os: str(c.os) } : {}),
    ...(str(c.variant) ? { variant: str(c.variant) } : {}),
    ...(str(c.created) ? { created: str(c.created) } : {}),
    ...(str(c.author) ? { author: str(c.author) } : {}),
    config,
    rootfs: { type: str(rootfs.type) ?? 'layers', diff_ids: diffIds },
    ...(history ? { history } : {}),
  };
}
