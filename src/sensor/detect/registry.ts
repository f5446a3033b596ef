/**
 * The built-in detections, listed explicitly in id order. Ids are stable:
 * a rule that is retired keeps its id unused; a new rule takes the next one.
 * registry.test.ts checks that every id is unique, documented in RULES.md
 * and covered by firing and non-firing cases.
 */
import { credentialRead, preloadWrite, shadowRead, systemWrite, accountWrite } from './rules-files.js';
import {
  bpf,
  kernelHook,
  kernelModule,
  mount,
  ptrace,
  releaseAgent,
  runtimeSocket,
  setns,
  sysKernelWrite,
  sysrq,
  unshare,
} from './rules-escape.js';
import { netcat, packageManager, reverseShell, scanner, shellSpawned } from './rules-process.js';
import type { BuiltinRule } from './types.js';

export const BUILTIN_RULES: readonly BuiltinRule[] = Object.freeze([
  shellSpawned,
  packageManager,
  shadowRead,
  credentialRead,
  systemWrite,
  preloadWrite,
  accountWrite,
  reverseShell,
  netcat,
  scanner,
  ptrace,
  mount,
  unshare,
  setns,
  kernelModule,
  bpf,
  releaseAgent,
  kernelHook,
  sysrq,
  sysKernelWrite,
  runtimeSocket,
]);

/** The built-in rule with this id, if any. */
export function builtinRule(id: string): BuiltinRule | undefined {
  return BUILTIN_RULES.find((r) => r.id === id);
}

/** Prefixes of rule ids that user rules may not use (built-ins, profile deviations, drift). */
export const RESERVED_ID_PREFIXES: readonly string[] = ['MR', 'MP', 'MD'];
