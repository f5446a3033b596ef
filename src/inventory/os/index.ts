export { osDetector, detectDistro } from './detector.js';
export type { OsFact, OsFactKind } from './detector.js';
export { parseOsRelease, distroFromOsRelease, unquoteValue } from './os-release.js';
export { parseAlpineRelease, parseDebianVersion, parseRedhatRelease } from './release-files.js';
