import type { Readable } from 'node:stream';
import { MamoriError } from '../core/index.js';
import { DockerArchiveSource, openOciArchive } from './archive.js';
import { OciLayoutStore, directoryReader } from './oci-layout.js';
import type { ImageReference } from './reference.js';
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

  openLayer(layer: LayerDescriptor): Promise<Readable> {
    if (!layer.digest) throw new MamoriError('INVALID_MANIFEST', `${this.name}: layer ${layer.index} has no digest`);
    return this.store.openBlob(layer.digest, layer.size);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

export interface OpenOptions {
  readonly platform?: Platform;
  /** Opens a registry repository; supplied by the registry module so this one stays free of network code. */
  readonly openRegistry?: (reference: string) => Promise<{ store: BlobStore; reference: string }>;
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
      if (!opts.openRegistry) throw new MamoriError('UNSUPPORTED_TRANSPORT', 'registry access is not available here');
      const { store, reference } = await opts.openRegistry(ref.reference);
      return new StoreImageSource(store, reference, opts.platform);
    }
    case 'dir':
      throw new MamoriError('UNSUPPORTED_TRANSPORT', 'dir: is a root filesystem, not an image: walk it directly');
  }
}
