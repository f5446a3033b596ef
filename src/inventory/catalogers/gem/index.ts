/** RubyGems catalogers: installed gem specifications and Bundler lockfiles. */
export { gemSpecCataloger, gemLockCataloger } from './catalogers.js';
export { parseGemspec } from './gemspec.js';
export { parseGemfileLock } from './gemfile-lock.js';
export type { GemEntry, GemFact } from './common.js';
