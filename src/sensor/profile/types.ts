/**
 * Behaviour profiles: what a workload was seen to do while it was learned.
 * A workload is one image (digest, else reference) running one command; all
 * its containers share one profile. The stored form (BehaviourProfile) is plain
 * JSON with sorted arrays so files diff well and load deterministically.
 */

/** Discover → Monitor → Protect. */
export type ProfileMode = 'learn' | 'monitor' | 'protect';

/** The behaviour dimensions a profile learns; each is bounded by a cap. */
export type Dimension = 'executables' | 'connects' | 'listens' | 'writes' | 'reads' | 'syscalls';

export const DIMENSIONS: readonly Dimension[] = [
  'executables',
  'connects',
  'listens',
  'writes',
  'reads',
  'syscalls',
];

/** Version of the stored JSON. A loader refuses files with a newer version. */
export const PROFILE_SCHEMA = 1;

/** One executable: its path and the content hashes seen (`any` once more than the cap were seen). */
export interface ExecutableEntry {
  readonly path: string;
  readonly sha256: readonly string[] | 'any';
}

/** An outbound peer: protocol, generalised address (CIDR or unix socket glob) and port. */
export interface PeerEntry {
  readonly protocol: 'tcp' | 'udp' | 'unix' | 'other';
  readonly address: string;
  readonly port: number;
}

/** A local port the workload accepted connections on. */
export interface ListenEntry {
  readonly protocol: 'tcp' | 'udp' | 'unix' | 'other';
  readonly port: number;
}

/** The identity of a workload. */
export interface WorkloadKey {
  /** Image digest, else image reference, else `unknown`. */
  readonly image: string;
  /** argv of the container's first process (bounded). */
  readonly command: readonly string[];
  /** Stable id: the first 16 hex digits of sha256 over image and command. */
  readonly id: string;
  /** Readable, filesystem-safe name (`[a-z0-9._-]`, ends with the first 8 hex of the id). */
  readonly name: string;
}

export interface BehaviourProfile {
  readonly schema: number;
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly command: readonly string[];
  readonly mode: ProfileMode;
  /** How the current mode was reached. */
  readonly modeSource: 'initial' | 'automatic' | 'manual';
  readonly createdAt: number;
  /** Start of the current learning period. */
  readonly learnStartedAt: number;
  /** Last time something new was learned. */
  readonly lastChangeAt: number;
  readonly modeChangedAt: number;
  readonly executables: readonly ExecutableEntry[];
  readonly connects: readonly PeerEntry[];
  readonly listens: readonly ListenEntry[];
  /** Generalised write paths (globs: `*` within one segment, `**` any depth). */
  readonly writes: readonly string[];
  /** Sensitive paths read. */
  readonly reads: readonly string[];
  /** x86_64 syscall names. */
  readonly syscalls: readonly string[];
  /** Dimensions whose cap was reached: learning of them stopped and they raise no deviations. */
  readonly overflow: readonly Dimension[];
}

/** Caps on each dimension and on per-entry detail. */
export interface ProfileLimits {
  readonly executables: number;
  readonly hashesPerExecutable: number;
  readonly connects: number;
  readonly listens: number;
  readonly writes: number;
  readonly reads: number;
  readonly syscalls: number;
  /** Distinct files in one directory before they collapse into `dir/*`. */
  readonly filesPerDirectory: number;
}

export const DEFAULT_LIMITS: ProfileLimits = {
  executables: 256,
  hashesPerExecutable: 8,
  connects: 256,
  listens: 64,
  writes: 256,
  reads: 64,
  syscalls: 512,
  filesPerDirectory: 16,
};

/** Something a learning profile had not seen before. */
export interface Novelty {
  readonly dimension: Dimension;
  readonly value: string;
}
