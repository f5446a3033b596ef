/**
 * npm-family catalogers: installed packages under node_modules, and the
 * lockfiles of npm, yarn and pnpm projects.
 */
export { npmPackageCataloger, parsePackageJson } from './package-json.js';
export { npmLockCataloger } from './lock-cataloger.js';
export { parsePackageLock } from './package-lock.js';
export { parseYarnLock } from './yarn-lock.js';
export type { NpmEntry, NpmFact } from './common.js';
