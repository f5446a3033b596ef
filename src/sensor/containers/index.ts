/**
 * Container attribution for the runtime sensor: cgroup id / pid → the
 * container (runc, containerd, CRI-O, Docker; Kubernetes pod and image from
 * annotations), and the /proc readers that describe a process: its tree,
 * what its stdin/stdout are, and the sha256 of what it runs.
 */
export { createContainerResolver, DEFAULT_RUNTIME_ROOTS } from './resolver.js';
export type { ContainerResolver, ContainerResolverOptions, RuntimeRoot } from './resolver.js';
export { ANNOTATION_IMAGE, ANNOTATION_IMAGE_DIGEST, fieldsOf, runtimeOf } from './annotations.js';
export { matchCgroupPath, candidateIds, isContainerId } from './paths.js';
export type { CgroupMatch, Runtime } from './paths.js';
export { createCgroupIndex, defaultCgroupRoot } from './cgroups.js';
export type { CgroupIndex, CgroupIndexOptions } from './cgroups.js';
export { readRuntimeState } from './state.js';
export type { RuntimeState, StateLimits } from './state.js';
export { readProcess, readStat, processTree, stdioKinds, fdKind, parseStat, parseCmdline } from './proc.js';
export type { ProcOptions, ProcStat, ProcessTreeOptions } from './proc.js';
export { createExecutableHasher } from './digest.js';
export type { ExecutableHasher, ExecutableHasherOptions } from './digest.js';
