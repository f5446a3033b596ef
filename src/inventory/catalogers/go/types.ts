/** A module as recorded in a Go binary's build information. */
export interface GoModule {
  readonly path: string;
  readonly version: string;
  /** go.sum-style hash (`h1:…`); absent when not recorded. */
  readonly sum?: string;
  /** The module that replaced this one (a `=>` line). */
  readonly replace?: GoModule;
}

export interface GoBuildSetting {
  readonly key: string;
  readonly value: string;
}

/** What `go version -m` reports for a binary: toolchain, main package and module, dependencies, build settings. */
export interface GoBuildInfo {
  /** Toolchain that built the binary, as recorded (`go1.19.8`, `go1.22.3 X:boringcrypto`). */
  readonly goVersion: string;
  /** Import path of the main package. */
  readonly path?: string;
  /** The module holding the main package; absent for binaries built outside module mode. */
  readonly main?: GoModule;
  readonly deps: readonly GoModule[];
  /** Build settings in recorded order. */
  readonly settings: readonly GoBuildSetting[];
}

/** The per-binary fact the go-binary cataloger caches. */
export type GoFact = GoBuildInfo;
