import { homedir } from 'node:os';
import type { Readable } from 'node:stream';
import { MamoriError } from '../core/index.js';
import { DockerArchiveSource, openOciArchive } from './archive.js';
import { OciLayoutStore, directoryReader } from './oci-layout.js';
import type { ImageReference } from './reference.js';
import { openRegistryStore, parseDockerReference, resolveCredentials } from './registry/index.js';
import { resolveImage } from './resolve.js';
import type { BlobStore, ImageSource, LayerDescriptor, Platform, ResolvedImage } from './types.js';

/** An ImageSource over any BlobStore (OCI layout, OCI archive, registry). */
export class StoreImageSource implements ImageSource {
  readonly name: string;
  constructor(
    private readonly store: BlobStore,
    private readonly reference: string,
    private readonly platform: Platform | undefined,
  ) {
    this.name = store.name;
  }

  resolve(): Promise<ResolvedImage> {
    return resolveImage(this.store, this.reference, this.platform ? { platform: this.platform } : {});
  }

  async openLayer(layer: LayerDescriptor): Promise<Readable> {
    if (!layer.digest)
      throw new MamoriError('INVALID_MANIFEST', `${this.name}: layer ${layer.index} has no digest`);
    try {
      return await this.store.openBlob(layer.digest, layer.size);
    } catch (e) {
      // Say which layer: a digest alone does not tell the user where to look.
      if (e instanceof MamoriError && e.code === 'NOT_FOUND') {
        throw new MamoriError('NOT_FOUND', `${e.message} (layer ${layer.index})`);
      }
      throw e;
    }
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/** How to reach registries: credentials, TLS. */
export interface RegistryAccess {
  /** `USER[:PASSWORD]`, as skopeo's `--creds`. */
  readonly creds?: string;
  /** An auth.json to read first (skopeo's `--authfile`); otherwise `$REGISTRY_AUTH_FILE` and the usual places. */
  readonly authFile?: string;
  /** Verify TLS certificates; false also allows plain HTTP. Default true. */
  readonly tlsVerify?: boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly homeDir?: string;
}

export interface OpenOptions {
  readonly platform?: Platform;
  readonly registry?: RegistryAccess;
}

async function openRegistry(
  reference: string,
  access: RegistryAccess,
): Promise<{ store: BlobStore; reference: string }> {
  const ref = parseDockerReference(reference);
  const env = {
    ...(access.env ?? process.env),
    ...(access.authFile ? { REGISTRY_AUTH_FILE: access.authFile } : {}),
  };
  const credentials = await resolveCredentials(ref.registry, {
    ...(access.creds !== undefined ? { creds: access.creds } : {}),
    repository: ref.repository,
    env,
    homeDir: access.homeDir ?? homedir(),
  });
  const store = openRegistryStore(ref, {
    ...(credentials ? { credentials } : {}),
    ...(access.tlsVerify !== undefined ? { tlsVerify: access.tlsVerify } : {}),
  });
  return { store, reference: ref.digest ?? ref.tag ?? 'latest' };
}

/** Opens an image reference of any transport but `dir:`. */
export async function openImageSource(ref: ImageReference, opts: OpenOptions = {}): Promise<ImageSource> {
  switch (ref.transport) {
    case 'oci':
      return new StoreImageSource(
        new OciLayoutStore(`oci:${ref.path}`, directoryReader(ref.path)),
        ref.digest ?? ref.tag ?? '',
        opts.platform,
      );
    case 'oci-archive':
      return new StoreImageSource(await openOciArchive(ref.path), ref.tag ?? '', opts.platform);
    case 'docker-archive':
      return DockerArchiveSource.open(ref.path, ref.tag);
    case 'docker': {
      const { store, reference } = await openRegistry(ref.reference, opts.registry ?? {});
      return new StoreImageSource(store, reference, opts.platform);
    }
    case 'dir':
      throw new MamoriError(
        'UNSUPPORTED_TRANSPORT',
        'dir: is a root filesystem, not an image: walk it directly',
      );
  }
}
