/**
 * Python catalogers: installed distributions (dist-info, egg-info) and
 * project lockfiles (poetry.lock, Pipfile.lock, requirements files).
 */
export { pythonPackageCataloger } from './installed.js';
export type { PythonInstalledFact } from './installed.js';
export { pythonLockCataloger } from './lock-cataloger.js';
export type { PythonLockEntry, PythonLockFact } from './lock-types.js';
export { parseCoreMetadata } from './metadata.js';
export type { CoreMetadata } from './metadata.js';
export { parseRecord, parseInstalledFiles } from './files.js';
export { parsePoetryLock } from './poetry.js';
export { parsePipfileLock } from './pipfile.js';
export { parseRequirements } from './requirements.js';
export { normalizeName } from './common.js';
