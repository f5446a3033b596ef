import type { PythonMetadata } from '../../../core/index.js';

/** One pinned distribution from a lockfile or requirements file. */
export interface PythonLockEntry {
  readonly name: string;
  readonly version: string;
  /** True for development-only dependencies (poetry dev category or group, Pipfile.lock `develop`). */
  readonly dev?: boolean;
  readonly hashes?: readonly string[];
}

export interface PythonLockFact {
  readonly kind: Extract<PythonMetadata['kind'], 'poetry-lock' | 'pipfile-lock' | 'requirements-txt'>;
  readonly entries: readonly PythonLockEntry[];
}
