/** What the decision and the mutation read off one pod template: labels, images with their paths, the subject. */
import type { Subject } from '../../policy/index.js';
import type { PodTemplate } from '../workload/index.js';

const CONTAINER_FIELDS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

export function labelsOf(v: unknown): Record<string, string> {
  if (typeof v !== 'object' || v === null) return {};
  const labels = (v as { labels?: unknown }).labels;
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return {};
  return Object.fromEntries(
    Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/** Every container image of the template with the field path of its `image`. */
export function templateImages(t: PodTemplate): { image: string; path: string }[] {
  const out: { image: string; path: string }[] = [];
  const base = t.specPath ? `${t.specPath}.` : '';
  for (const field of CONTAINER_FIELDS) {
    const list = (t.spec as Record<string, unknown>)[field];
    if (!Array.isArray(list)) continue;
    list.forEach((c: unknown, i) => {
      const image = typeof c === 'object' && c !== null ? (c as { image?: unknown }).image : undefined;
      if (typeof image === 'string') out.push({ image, path: `${base}${field}[${i}].image` });
    });
  }
  return out;
}

/** Who and what a template is for rule selection and exemptions. */
export function subjectOf(
  object: unknown,
  t: PodTemplate,
  options: { readonly namespace?: string; readonly user?: string },
): Subject {
  const meta =
    typeof object === 'object' && object !== null ? (object as { metadata?: unknown }).metadata : undefined;
  return {
    namespace: t.namespace || options.namespace || 'default',
    labels: { ...labelsOf(meta), ...labelsOf(t.metadata) },
    ...(options.user !== undefined ? { user: options.user } : {}),
  };
}

/** `spec.containers[0].image` → `/spec/containers/0/image` (RFC 6901). */
export function jsonPointer(path: string): string {
  return `/${path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1'))
    .join('/')}`;
}
