/** Pod builders shared by the Pod Security Standards tests. */
import type { JsonObject } from './context.js';

/** A securityContext that satisfies every Restricted container control. */
export function restrictedContainerSc(): JsonObject {
  return { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
}

/**
 * A pod spec with one container, one init container and one ephemeral
 * container that passes the Restricted level at every version.
 */
export function restrictedSpec(): JsonObject {
  return {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'app', image: 'app:1', securityContext: restrictedContainerSc() }],
    initContainers: [{ name: 'init', image: 'init:1', securityContext: restrictedContainerSc() }],
    ephemeralContainers: [{ name: 'debug', image: 'debug:1', securityContext: restrictedContainerSc() }],
  };
}

/** A pod spec with the same three containers and no securityContext at all (passes Baseline). */
export function plainSpec(): JsonObject {
  return {
    containers: [{ name: 'app', image: 'app:1' }],
    initContainers: [{ name: 'init', image: 'init:1' }],
    ephemeralContainers: [{ name: 'debug', image: 'debug:1' }],
  };
}

export type ListName = 'containers' | 'initContainers' | 'ephemeralContainers';
export const LISTS: readonly ListName[] = ['containers', 'initContainers', 'ephemeralContainers'];

/** The first container of `list` in `spec`. */
export function containerOf(spec: JsonObject, list: ListName): JsonObject {
  return (spec[list] as JsonObject[])[0] as JsonObject;
}

/** The securityContext of the first container of `list`, created when missing. */
export function scOf(spec: JsonObject, list: ListName): JsonObject {
  const c = containerOf(spec, list);
  c.securityContext ??= {};
  return c.securityContext as JsonObject;
}

export function podSc(spec: JsonObject): JsonObject {
  spec.securityContext ??= {};
  return spec.securityContext as JsonObject;
}
