/** Image rules of the admission policy: registries, digest pinning, scan results, signatures. */
export { allowedBy, canonicalName, checkImage } from './check.js';
export type { ImageFacts, ImageViolation } from './check.js';
