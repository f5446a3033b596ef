/**
 * What a container's OCI annotations say about its pod, name and image.
 *
 * containerd's CRI plugin:  io.kubernetes.cri.sandbox-name, …sandbox-namespace,
 *                           …sandbox-uid, …container-name, …image-name
 * CRI-O:                    io.kubernetes.pod.name, …pod.namespace, …pod.uid,
 *                           io.kubernetes.container.name,
 *                           io.kubernetes.cri-o.ImageName, io.kubernetes.cri-o.ImageRef
 * OCI:                      org.opencontainers.image.ref.name
 * mamori's own (set them when running containers by other means, e.g. plain
 * runc, to name the image the sensor should judge the container against):
 *   dev.mamori.image         image reference (`registry/repo:tag` or `…@sha256:…`)
 *   dev.mamori.image-digest  manifest digest (`sha256:<64 hex>`)
 *
 * The image from the sensor's configuration beats every annotation; then
 * mamori's, then the runtime's, then OCI's.
 */
import type { ContainerRef } from '../model/index.js';
import type { Runtime } from './paths.js';

export const ANNOTATION_IMAGE = 'dev.mamori.image';
export const ANNOTATION_IMAGE_DIGEST = 'dev.mamori.image-digest';

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const REF_DIGEST = /@(sha256:[0-9a-f]{64})$/;
const MAX_REF = 1024;

type Fields = Pick<ContainerRef, 'image' | 'imageDigest' | 'pod' | 'name'>;

function first(a: Readonly<Record<string, string>>, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = a[k]?.trim();
    if (v) return v;
  }
  return undefined;
}

function ref(v: string | undefined): string | undefined {
  return v !== undefined && v.length <= MAX_REF && !/[\s\0]/.test(v) ? v : undefined;
}

/** The runtime the annotations reveal (CRI-O's or containerd's CRI keys), or undefined. */
export function runtimeOf(a: Readonly<Record<string, string>>): Runtime | undefined {
  const keys = Object.keys(a);
  if (keys.some((k) => k.startsWith('io.kubernetes.cri-o.'))) return 'cri-o';
  if (keys.some((k) => k.startsWith('io.kubernetes.cri.'))) return 'containerd';
  return undefined;
}

/** Pod, container name, image and digest from annotations and the configured image (if any). */
export function fieldsOf(a: Readonly<Record<string, string>>, configuredImage?: string): Fields {
  const out: { -readonly [K in keyof Fields]: Fields[K] } = {};
  const podName = first(a, 'io.kubernetes.cri.sandbox-name', 'io.kubernetes.pod.name');
  const namespace = first(a, 'io.kubernetes.cri.sandbox-namespace', 'io.kubernetes.pod.namespace');
  const uid = first(a, 'io.kubernetes.cri.sandbox-uid', 'io.kubernetes.pod.uid');
  if (podName && namespace) out.pod = uid ? { name: podName, namespace, uid } : { name: podName, namespace };
  const name = first(a, 'io.kubernetes.cri.container-name', 'io.kubernetes.container.name');
  if (name) out.name = name;
  const image =
    ref(configuredImage) ??
    ref(first(a, ANNOTATION_IMAGE)) ??
    ref(first(a, 'io.kubernetes.cri.image-name', 'io.kubernetes.cri-o.ImageName')) ??
    ref(first(a, 'org.opencontainers.image.ref.name'));
  if (image) out.image = image;
  // A digest annotation belongs to the annotated image, not to one the configuration names instead.
  const configured = ref(configuredImage);
  const digest = configured
    ? REF_DIGEST.exec(configured)?.[1]
    : (first(a, ANNOTATION_IMAGE_DIGEST) ??
      (image ? REF_DIGEST.exec(image)?.[1] : undefined) ??
      REF_DIGEST.exec(first(a, 'io.kubernetes.cri-o.ImageRef') ?? '')?.[1]);
  if (digest && DIGEST.test(digest)) out.imageDigest = digest;
  return out;
}
