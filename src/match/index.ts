export { matchPackages } from './match.js';
export type { AdvisoryProvider, MatchOptions } from './match.js';
export { MATCHERS, matcherFor } from './queries.js';
export type { Matcher, Query } from './queries.js';
export { evaluateRange } from './range.js';
export type { RangeHit } from './range.js';
