/** PHP Composer catalogers: installed packages (vendor/composer/installed.json) and composer.lock. */
export { composerInstalledCataloger, composerLockCataloger } from './catalogers.js';
export type { ComposerFact } from './catalogers.js';
export { parseComposerLock, parseInstalledJson } from './parse.js';
export type { ComposerEntry } from './parse.js';
