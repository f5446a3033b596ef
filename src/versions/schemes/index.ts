/**
 * Every version scheme mamori compares, in one explicit typed table (no
 * side-effect registration). A test checks that the table and the comparer
 * files beside this one agree.
 */
import type { VersionComparer } from '../types.js';
import { apk } from './apk.js';
import { cargo } from './cargo.js';
import { composer } from './composer.js';
import { dpkg } from './dpkg.js';
import { gem } from './gem.js';
import { go } from './go.js';
import { maven } from './maven.js';
import { npm } from './npm.js';
import { nuget } from './nuget.js';
import { pep440 } from './pep440.js';
import { rpm } from './rpm.js';

export type SchemeName =
  'apk' | 'cargo' | 'composer' | 'dpkg' | 'gem' | 'go' | 'maven' | 'npm' | 'nuget' | 'pep440' | 'rpm';

/** Comparers by the file that holds them. */
export const SCHEMES: Readonly<Record<SchemeName, VersionComparer>> = Object.freeze({
  apk,
  cargo,
  composer,
  dpkg,
  gem,
  go,
  maven,
  npm,
  nuget,
  pep440,
  rpm,
});

export { satisfiesNpmRange } from './npm.js';
