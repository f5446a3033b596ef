/**
 * Attack-surface reduction from learned behaviour: an OCI seccomp profile
 * (default EPERM, observed syscalls allowed), an AppArmor profile (exec,
 * file, network and deny rules) and the Kubernetes wiring for both.
 */
export { NNP_FALSE_EXTRA, RUNTIME_SYSCALLS, seccompProfile, seccompReport } from './seccomp.js';
export type { LinuxSeccomp, SeccompOptions, SeccompReport, SeccompRule } from './seccomp.js';
export { SENSITIVE_PATHS, apparmorPath, apparmorProfile } from './apparmor.js';
export type { AppArmorOptions } from './apparmor.js';
export { kubernetesWiring } from './kubernetes.js';
export type { KubernetesOptions, KubernetesWiring } from './kubernetes.js';
