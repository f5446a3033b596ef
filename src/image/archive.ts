import type { Readable } from 'node:stream';
import { MamoriError } from '../core/index.js';
import { MAX_CONFIG_BYTES, digestOf, parseImageConfig, verifyBytes } from './manifest.js';
import { type LayoutReader, OciLayoutStore } from './oci-layout.js';
import { isDigest } from './reference.js';
import { TarIndex } from './tar-index.js';
import type { ImageSource, LayerDescriptor, ResolvedImage } from './types.js';

function tarReader(index: TarIndex): LayoutReader {
  return {
    read: async (rel, max, what) => {
      if (!index.resolve(rel)) throw new MamoriError('NOT_FOUND', `${what} not found`);
      return index.read(rel, max);
    },
    open: async (rel, what) => {
      if (!index.resolve(rel)) throw new MamoriError('NOT_FOUND', `${what} not found`);
      return index.stream(rel);
    },
  };
}

/** `oci-archive:FILE`: an OCI image layout packed in a tar file, read in place. */
export async function openOciArchive(path: string): Promise<OciLayoutStore> {
  const index = await TarIndex.open(path);
  return new OciLayoutStore(`oci-archive:${path}`, tarReader(index));
}

interface DockerManifestEntry {
  readonly Config: string;
  readonly RepoTags: readonly string[];
  readonly Layers: readonly string[];
}

function parseDockerManifest(bytes: Buffer, what: string): DockerManifestEntry[] {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new MamoriError('INVALID_MANIFEST', `${what} is not valid JSON`, { cause: e });
  }
  if (!Array.isArray(v) || v.length === 0)
    throw new MamoriError('INVALID_MANIFEST', `${what}: expected a non-empty array`);
  return v.map((e: unknown, i) => {
    const o = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
    const layers = o.Layers;
    if (
      typeof o.Config !== 'string' ||
      !Array.isArray(layers) ||
      !layers.every((l) => typeof l === 'string')
    ) {
      throw new MamoriError('INVALID_MANIFEST', `${what}[${i}]: needs Config and Layers`);
    }
    const tags = Array.isArray(o.RepoTags)
      ? o.RepoTags.filter((t): t is string => typeof t === 'string')
      : [];
    return { Config: o.Config, RepoTags: tags, Layers: layers as string[] };
  });
}

/** The digest a member name carries (`blobs/sha256/HEX`, `HEX.tar`, `HEX/layer.tar`), if any. */
function digestFromName(name: string): string | undefined {
  const m = /^blobs\/(sha256|sha512)\/([a-f0-9]+)$/.exec(name);
  if (m && isDigest(`${m[1]}:${m[2]}`)) return `${m[1]}:${m[2]}`;
  return undefined;
}

/**
 * `docker-archive:FILE[:NAME:TAG]`: the `docker save` format (manifest.json,
 * a config JSON, one tar per layer). Layers are verified against the
 * config's diff_ids; the config against its file name when that is a digest.
 */
export class DockerArchiveSource implements ImageSource {
  readonly name: string;
  private layerPaths: readonly string[] = [];
  private constructor(
    private readonly index: TarIndex,
    private readonly tag: string | undefined,
  ) {
    this.name = `docker-archive:${index.path}`;
  }

  static async open(path: string, tag?: string): Promise<DockerArchiveSource> {
    return new DockerArchiveSource(await TarIndex.open(path), tag);
  }

  async resolve(): Promise<ResolvedImage> {
    const entries = parseDockerManifest(
      await this.index.read('manifest.json', 4 * 1024 * 1024).catch((e: unknown) => {
        if (e instanceof MamoriError && e.code === 'NOT_FOUND') {
          throw new MamoriError(
            'INVALID_MANIFEST',
            `${this.name}: no manifest.json (not a docker save archive?)`,
          );
        }
        throw e;
      }),
      `${this.name} manifest.json`,
    );
    let entry: DockerManifestEntry | undefined;
    if (this.tag) {
      const want = this.tag.includes(':') ? this.tag : `${this.tag}:latest`;
      entry = entries.find((e) => e.RepoTags.some((t) => t === want || t.endsWith(`/${want}`)));
      if (!entry && /^\d+$/.test(this.tag)) entry = entries[Number(this.tag)];
      if (!entry) {
        const tags = entries.flatMap((e) => e.RepoTags).join(', ');
        throw new MamoriError(
          'NOT_FOUND',
          `${this.name}: no image tagged "${this.tag}"${tags ? ` (tags: ${tags})` : ''}`,
        );
      }
    } else {
      if (entries.length > 1) {
        const tags = entries.flatMap((e) => e.RepoTags).join(', ');
        throw new MamoriError(
          'INVALID_ARGUMENT',
          `${this.name} holds ${entries.length} images; name one as docker-archive:FILE:NAME:TAG or :INDEX (${tags})`,
        );
      }
      entry = entries[0];
    }
    if (!entry) throw new MamoriError('INVALID_MANIFEST', `${this.name}: empty manifest.json`);
    const what = `${this.name} config ${entry.Config}`;
    const configBytes = await this.index.read(entry.Config, MAX_CONFIG_BYTES);
    const base = entry.Config.replace(/^blobs\/sha256\//, '').replace(/\.json$/, '');
    const named =
      digestFromName(entry.Config) ?? (/^[a-f0-9]{64}$/.test(base) ? `sha256:${base}` : undefined);
    if (named) verifyBytes(what, configBytes, named);
    const config = parseImageConfig(configBytes, what, entry.Layers.length);
    this.layerPaths = entry.Layers;
    const layers: LayerDescriptor[] = entry.Layers.map((name, index) => {
      const m = this.index.resolve(name);
      if (!m) throw new MamoriError('INVALID_MANIFEST', `${this.name}: layer ${name} not found in archive`);
      const digest = digestFromName(name);
      return {
        index,
        diffId: config.rootfs.diff_ids[index] as string,
        ...(digest ? { digest } : {}),
        size: m.size,
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar',
      };
    });
    return {
      configDigest: named ?? digestOf(configBytes, 'sha256:'),
      config,
      ...(config.os && config.architecture
        ? { platform: { os: config.os, architecture: config.architecture } }
        : {}),
      layers,
      ...(entry.RepoTags.length ? { repoTags: entry.RepoTags } : {}),
    };
  }

  async openLayer(layer: LayerDescriptor): Promise<Readable> {
    const path = this.layerPaths[layer.index];
    if (path === undefined)
      throw new MamoriError('NOT_FOUND', `${this.name}: layer ${layer.index} not found`);
    return this.index.stream(path);
  }

  async close(): Promise<void> {}
}
