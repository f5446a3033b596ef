/** Shapes shared by the built-image checks: analyser facts, rules, the attack surface and the result. */
import type { RuleFinding, RuleLocation, SeverityLevel } from '../core/index.js';

/**
 * What the accounts analyser keeps of one account database. Pairs are
 * `[name, id]`. Of /etc/shadow only the names of accounts whose password
 * field is empty are kept: never a hash or any other field.
 */
export type AccountsFact =
  | {
      readonly file: 'passwd';
      readonly users: ReadonlyArray<readonly [string, number]>;
      /** Accounts whose passwd password field is empty (no password at all). */
      readonly emptyPassword: readonly string[];
      /** More entries than the analyser keeps: the id list is incomplete. */
      readonly truncated?: true;
    }
  | {
      readonly file: 'group';
      readonly groups: ReadonlyArray<readonly [string, number]>;
      readonly truncated?: true;
    }
  | {
      readonly file: 'shadow';
      readonly emptyPassword: readonly string[];
      readonly truncated?: true;
    };

/** How an ELF executable is linked, as far as the entrypoint suggestion needs. */
export interface ElfFact {
  /** PT_INTERP: the dynamic loader (`/lib64/ld-linux-x86-64.so.2`); absent for static binaries. */
  readonly interpreter?: string;
  /** DT_NEEDED: the shared libraries it loads by name, in order. */
  readonly needed: readonly string[];
}

export type SurfaceCategory =
  | 'shell'
  | 'package-manager'
  | 'compiler'
  | 'debugger'
  | 'network-tool'
  | 'ssh-server'
  | 'setuid'
  | 'setgid'
  | 'world-writable'
  | 'unknown-owner';

/** One thing in the image an intruder can use. */
export interface SurfaceItem {
  readonly category: SurfaceCategory;
  /** Absolute path in the final filesystem (for a tool, the name it is called by). */
  readonly path: string;
  /** Index of the layer holding the path in the final filesystem. */
  readonly layer: number;
  /** The OS package that ships the file (`name version`), where one does. */
  readonly package?: string;
}

/** A package, or a group of files no package owns, by size. */
export interface SurfaceContributor {
  readonly kind: 'package' | 'path';
  /** Package name, or a path prefix (`/usr/local`, `/app`) for files no package owns. */
  readonly name: string;
  readonly bytes: number;
  readonly files: number;
  /** The layer that introduced the package. */
  readonly layer?: number;
}

export interface ScorePenalty {
  readonly reason: string;
  readonly points: number;
}

export interface AttackSurface {
  /** The items, by category then path; at most MAX_SURFACE_ITEMS per category (`counts` has the totals). */
  readonly items: readonly SurfaceItem[];
  readonly counts: Readonly<Record<SurfaceCategory, number>>;
  /** OS packages (deb, apk, rpm) and their installed size. */
  readonly packages: { readonly count: number; readonly bytes: number };
  /** 0–100, 100 = minimal (see `minimalityScore`). */
  readonly score: number;
  /** What the score lost points for. */
  readonly penalties: readonly ScorePenalty[];
  /** The largest packages and unowned path groups, largest first. */
  readonly contributors: readonly SurfaceContributor[];
  /** A concrete way to make the image smaller, derived from its entrypoint and packages. */
  readonly suggestion?: string;
}

export interface ImageCheckResult {
  readonly findings: RuleFinding[];
  readonly surface: AttackSurface;
}

/** One finding of a rule before the rule's text is attached. */
export interface ImageHit {
  readonly location: RuleLocation;
  /** What was seen; never a secret value. */
  readonly evidence: string;
  /** A fix specific to this finding, naming the path, package or layer. */
  readonly fix?: string;
  /** Where the rule grades findings (setuid owned by a package or not). */
  readonly severity?: SeverityLevel;
}
