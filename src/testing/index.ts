export { debianRootfs } from './debian.js';
export type { DebianRootfsOptions } from './debian.js';
export { cached, testCacheDir } from './cache.js';
export { readTree, parseFacts } from './tree.js';
export type { TreeFile } from './tree.js';
