export { apkCataloger, apkPurl } from './cataloger.js';
export type { ApkFact } from './cataloger.js';
export { parseInstalled, splitApkLicense } from './installed.js';
export type { ApkEntry } from './installed.js';
