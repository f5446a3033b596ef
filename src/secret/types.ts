import type { LayerRef, SeverityLevel } from '../core/index.js';

/** What a rule's extra check sees: the secret and the text around the match. */
export interface SecretContext {
  /** Path of the file (or the name given to `scanText`). */
  readonly path: string;
  /** The text the match was found in (a bounded region of the file, decoded byte for byte). */
  readonly text: string;
  /** Start and end (exclusive) of the whole match in `text`. */
  readonly start: number;
  readonly end: number;
  /** Start and end (exclusive) of the secret in `text`. */
  readonly secretStart: number;
  readonly secretEnd: number;
  /** The match and its capture groups. */
  readonly groups: readonly (string | undefined)[];
}

/**
 * One secret-detection rule. Rules are plain data in one typed table
 * (`SECRET_RULES`); the scanner compiles them once.
 *
 * Contract every rule keeps, checked by the rule tests:
 * - every match contains one of `keywords` (ASCII, matched case-insensitively),
 *   so the keyword prefilter never hides a match;
 * - the regex has no unbounded quantifier and no match (with its lookarounds)
 *   is longer than `maxLength`, so a file can be scanned in windows that
 *   overlap by the longest rule and backtracking stays bounded.
 */
export interface SecretRule {
  /** Stable id (gitleaks' id where gitleaks has the rule). */
  readonly id: string;
  readonly title: string;
  readonly severity: SeverityLevel;
  /** One line: why a finding matters. */
  readonly rationale: string;
  /** One line: what to do about it. */
  readonly fix: string;
  /** Lower-case ASCII literals; a region is matched only around one of them. */
  readonly keywords: readonly string[];
  /** The pattern, without the `g`/`y` flags (the scanner adds its own copy). */
  readonly regex: RegExp;
  /** Capture group holding the secret; 0 is the whole match; unset: the first group that took part. */
  readonly secretGroup?: number;
  /** Longest possible match including lookarounds, in bytes. */
  readonly maxLength: number;
  /** Minimum Shannon entropy (bits per character) of the secret; lower is dropped. */
  readonly entropy?: number;
  /** Extra check of a candidate; false drops it. */
  readonly validate?: (secret: string, ctx: SecretContext) => boolean;
  /** Globs (absolute image paths) a file must match for the rule to run on it. */
  readonly paths?: readonly string[];
  /** Values (the secret) matching one of these are known non-secrets (documentation examples). */
  readonly allowValues?: readonly RegExp[];
  /** Drop values that look like placeholders (`changeme`, `${VAR}`, `<your-key>` …). */
  readonly placeholders?: boolean;
  /** Looked for in binary files too, around these exact (case-sensitive) literals only. */
  readonly binary?: readonly string[];
  /** Report the location of the whole match (a PEM block) rather than of the secret. */
  readonly locateMatch?: boolean;
  /** A generic rule yields to any other rule that found a secret on the same bytes. */
  readonly generic?: boolean;
  /** Rules whose findings on the same bytes this rule's finding replaces. */
  readonly supersedes?: readonly string[];
  readonly references?: readonly string[];
}

/** Where the scanned bytes come from. */
export interface SecretScanLocation {
  readonly layer?: LayerRef;
  /** The file is deleted by a later layer. */
  readonly deleted?: boolean;
}

/** Location of text scanned with `scanText`: a Dockerfile line, an ENV value, a label. */
export interface SecretTextLocation extends SecretScanLocation {
  /** Line number of the text's first line (default 1). */
  readonly line?: number;
}

/** A validated, frozen allow-list (see `parseAllowList`). */
export interface AllowList {
  /** Where it was loaded from, for messages. */
  readonly source: string;
  /** Rule ids switched off. */
  readonly disabledRules: readonly string[];
  /** Path globs never scanned. */
  readonly paths: readonly string[];
  /** Secret values matching one of these are not reported. */
  readonly values: readonly RegExp[];
  /** Individual findings, each with the reason it is accepted. */
  readonly findings: readonly AllowListEntry[];
}

export type AllowListEntry =
  | {
      readonly kind: 'location';
      readonly ruleId: string;
      readonly path: string;
      readonly line: number;
      readonly reason: string;
    }
  | { readonly kind: 'hash'; readonly sha256: string; readonly reason: string };

export interface SecretScannerOptions {
  readonly allow?: AllowList;
  /** Bytes of a file that are scanned; the rest is read past unscanned. Default 256 MiB. */
  readonly maxFileBytes?: number;
  /** Findings kept per file; later ones are dropped. Default 100. */
  readonly maxFindingsPerFile?: number;
  /** Skip the paths of `DEFAULT_SKIP_PATHS` (documentation, locale data, test vectors). Default true. */
  readonly defaultSkips?: boolean;
  /** Bytes scanned per window of a streamed file (memory per file is about this plus twice the longest rule). Default 1 MiB. */
  readonly windowBytes?: number;
  /** Rules to use; default `SECRET_RULES`. */
  readonly rules?: readonly SecretRule[];
}
