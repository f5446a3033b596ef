/**
 * The admission policy as mamori evaluates it, after validation: rules
 * scoped by namespace and label selectors, each with a mode, and
 * exemptions with reasons and expiry. One model serves the admission
 * webhook, `mamori policy test` in CI and the registry's pull gate.
 */

export type PolicyMode = 'enforce' | 'audit' | 'warn';
export const POLICY_MODES: readonly PolicyMode[] = ['enforce', 'audit', 'warn'];

export type PssLevel = 'privileged' | 'baseline' | 'restricted';
export const PSS_LEVELS: readonly PssLevel[] = ['privileged', 'baseline', 'restricted'];

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

/** A Pod Security Standards level pinned to a Kubernetes version (`latest` or `v1.N`). */
export interface PssSetting {
  readonly level: PssLevel;
  readonly version: string;
}

/** Which objects a rule applies to. Globs (`team-*`) match namespace names. */
export interface Match {
  /** Namespace globs; empty: every namespace. */
  readonly namespaces: readonly string[];
  readonly excludeNamespaces: readonly string[];
  /** Labels the object must carry (all of them, exact values). */
  readonly labels: Readonly<Record<string, string>>;
}

export interface ImageRules {
  /** Registry/repository prefixes images must come from (`registry.example.com/team`); empty: any. */
  readonly allowedRegistries: readonly string[];
  /** Images must be referenced by digest. */
  readonly requireDigest: boolean;
  /** Tags are resolved and replaced by digests (mutating webhook). */
  readonly mutateToDigest: boolean;
  /** Deny images whose scan has findings at or above this severity. */
  readonly maxSeverity?: Severity;
  /** Deny images mamori has not scanned. */
  readonly requireScan: boolean;
  /** PEM public keys (ECDSA P-256, Ed25519); at least one signature must verify with one of them. */
  readonly signatureKeys: readonly string[];
  /** Attestations the image must carry, each of a predicate type and signed by one of its keys. */
  readonly attestations: readonly AttestationRule[];
}

export interface AttestationRule {
  /** in-toto predicate type URI (`https://slsa.dev/provenance/v1`, `https://cyclonedx.org/bom`, …). */
  readonly predicateType: string;
  /** PEM public keys (ECDSA P-256, Ed25519). */
  readonly keys: readonly string[];
}

export interface IsolationRules {
  /** `key=value` label marking untrusted workloads. */
  readonly untrustedLabel?: { readonly key: string; readonly value: string };
  /** Runtime classes that sandbox (gVisor, Kata). */
  readonly runtimeClassNames: readonly string[];
  /** The toleration untrusted workloads must carry (the taint of the dedicated nodes). */
  readonly toleration?: { readonly key: string; readonly value?: string; readonly effect?: string };
  /** Every container must set CPU and memory requests and limits. */
  readonly requireResources: boolean;
}

export interface PolicyRule {
  readonly name: string;
  readonly mode: PolicyMode;
  readonly match: Match;
  readonly podSecurity?: PssSetting;
  readonly images?: ImageRules;
  readonly isolation?: IsolationRules;
}

export interface Exemption {
  readonly namespaces: readonly string[];
  /** Requesting users (`system:serviceaccount:ci:deployer`). */
  readonly users: readonly string[];
  /** Image globs (`registry.example.com/tools/*`). */
  readonly images: readonly string[];
  /** Rule names it applies to; empty: every rule. */
  readonly rules: readonly string[];
  readonly reason: string;
  /** ms since the epoch; after it the exemption no longer applies (and is reported). */
  readonly expires?: number;
}

export interface Policy {
  readonly rules: readonly PolicyRule[];
  readonly exemptions: readonly Exemption[];
}
