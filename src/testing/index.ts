export { debianRootfs } from './debian.js';
export { cached, testCacheDir } from './cache.js';
export { readTree, parseFacts } from './tree.js';
export type { TreeFile } from './tree.js';
export { debianImage } from './images.js';
export type { DebianImage } from './images.js';
