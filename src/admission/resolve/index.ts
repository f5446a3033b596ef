/** Image facts for the image rules (digest, scan result, signatures), looked up once and cached by digest. */
export { createImageResolver } from './resolver.js';
export type {
  CachingImageResolver,
  ImageAccess,
  ImageResolverOptions,
  ScanFacts,
  SignatureFacts,
} from './resolver.js';
export { createTtlCache } from './cache.js';
export { scanFactsOf } from './scan.js';
export type { TtlCache } from './cache.js';
