/**
 * Version comparers: one per ecosystem, each ordering versions exactly as
 * that ecosystem's own tool does, reached by OSV ecosystem name.
 */
export type { VersionComparer } from './types.js';
export { SCHEMES } from './schemes/index.js';
export type { SchemeName } from './schemes/index.js';
export { satisfiesNpmRange } from './schemes/index.js';
export { ECOSYSTEM_SCHEMES, comparerFor, compareVersions, schemeOf } from './ecosystems.js';
export { inRange, affectedByEvents, affectedSpan } from './range.js';
export type { VersionRange, OsvEvent, RangeOptions, AffectedSpan } from './range.js';
