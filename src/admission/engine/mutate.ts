/**
 * The mutation of the admission webhook: images referenced by tag are
 * pinned to the digest the tag points at now (`app:1` → `app:1@sha256:…`,
 * the tag kept for readers, the digest used by the runtime), for the rules
 * with `images.mutateToDigest` (enforce and warn modes) that select the
 * object. A tag that cannot be resolved is left alone with a warning; the
 * validating webhook then denies it where the policy requires digests.
 */
import { exemption, type Policy, rulesFor } from '../../policy/index.js';
import { canonicalName } from '../images/index.js';
import { podSpecsOf } from '../workload/index.js';
import type { EvaluateOptions } from './evaluate.js';
import { jsonPointer, subjectOf, templateImages } from './template.js';

export interface JsonPatchReplace {
  readonly op: 'replace';
  readonly path: string;
  readonly value: string;
}

export interface Mutation {
  /** RFC 6902 operations; empty when nothing changes. */
  readonly patch: readonly JsonPatchReplace[];
  readonly warnings: readonly string[];
}

export async function mutateObject(
  object: unknown,
  policy: Policy,
  options: EvaluateOptions = {},
): Promise<Mutation> {
  const now = options.now ?? Date.now();
  const patch = new Map<string, JsonPatchReplace>();
  const warnings: string[] = [];
  const resolve = options.resolveImage;
  for (const t of podSpecsOf(object).templates) {
    const subject = subjectOf(object, t, options);
    for (const rule of rulesFor(policy, subject)) {
      if (!rule.images?.mutateToDigest || rule.mode === 'audit') continue;
      for (const { image, path } of templateImages(t)) {
        const ref = canonicalName(image);
        if (!ref || ref.digest || patch.has(path)) continue;
        if (exemption(policy, rule.name, subject, now, image).exempt) continue;
        const facts = resolve ? await resolve(image, rule) : {};
        if (facts.digest === undefined) {
          warnings.push(
            `[${rule.name}] ${path}: could not pin ${image} to a digest: ${facts.problem ?? 'no image look-up configured'}`,
          );
          continue;
        }
        patch.set(path, { op: 'replace', path: jsonPointer(path), value: `${image}@${facts.digest}` });
      }
    }
  }
  return { patch: [...patch.values()], warnings };
}

function unescape(part: string): string {
  return part.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * The object after the patch (a copy; the input is left alone), as the API
 * server would store it: what the validating webhook then sees. Operations
 * whose path does not exist are skipped.
 */
export function applyPatch(object: unknown, patch: readonly JsonPatchReplace[]): unknown {
  if (patch.length === 0) return object;
  const copy = structuredClone(object);
  for (const op of patch) {
    const parts = op.path.split('/').slice(1).map(unescape);
    const last = parts.pop();
    let node: unknown = copy;
    for (const p of parts)
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[p] : undefined;
    if (last !== undefined && typeof node === 'object' && node !== null && Object.hasOwn(node, last)) {
      (node as Record<string, unknown>)[last] = op.value;
    }
  }
  return copy;
}
