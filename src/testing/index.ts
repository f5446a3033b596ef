export { debianRootfs } from './debian.js';
export { cached, testCacheDir } from './cache.js';
export { readTree, parseFacts } from './tree.js';
export type { TreeFile } from './tree.js';
export {
  debianImage,
  debianAppImage,
  hardeningImage,
  distrolessImage,
  parseHardeningFacts,
} from './images.js';
export type {
  DebianImage,
  DebianAppImage,
  HardeningImage,
  HardeningFacts,
  DistrolessImage,
} from './images.js';
export { startRuncContainer } from './runc.js';
export { makeTestCgroup, unifiedCgroupRoot } from './cgroup.js';
export type { TestCgroup } from './cgroup.js';
export type { RuncContainer, RuncContainerOptions, RuncExecOptions, RuncExecResult } from './runc.js';
