/**
 * A version comparer: the ordering one ecosystem's own tool uses.
 *
 * `compare` never throws. It orders what the native tool accepts exactly as
 * that tool does. Strings the tool rejects sort before every valid version,
 * and among themselves as the tool itself orders them where it has a rule
 * (apk compares them token by token, Go makes them all equal) or else by
 * their text; so each comparer is a total preorder (antisymmetric and
 * transitive), except where the native order itself is not: Maven's
 * ComparableVersion accepts every string and is not transitive on odd ones
 * (`0a` < `0--rc` < `0` < `0a`), and this comparer reproduces it.
 */
export interface VersionComparer {
  /** The scheme's name, the key of the comparer table. */
  readonly name: string;
  /** Negative, zero or positive as `a` is older than, equal to or newer than `b`. */
  compare(a: string, b: string): number;
  /** Whether the native tool accepts `v` as a version without complaint. */
  isValid(v: string): boolean;
}
