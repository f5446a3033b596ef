export {
  podSpecsOf,
  isObject,
  DEFAULT_WORKLOAD_LIMITS,
  POD_OWNING_KINDS,
  TEMPLATE_KINDS,
} from './extract.js';
export type { PodTemplate, PodSpecsResult, WorkloadLimits, JsonObject } from './extract.js';
export { readManifests, DEFAULT_MANIFEST_LIMITS } from './manifests.js';
export type { Manifest, ManifestsResult, ManifestLimits } from './manifests.js';
