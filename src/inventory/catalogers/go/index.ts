export { goBinaryCataloger, goPackages, goPurl, stdlibVersion } from './cataloger.js';
export { BUILDINFO_MAGIC, MAX_SCAN_BYTES, MAX_STRING_BYTES, readGoBuildInfo } from './buildinfo.js';
export { parseBuildSetting, parseModinfo } from './modinfo.js';
export type { ParsedModinfo } from './modinfo.js';
export { quotedPrefix, unquoteGo } from './gostring.js';
export type { GoBuildInfo, GoBuildSetting, GoFact, GoModule } from './types.js';
