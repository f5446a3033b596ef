export { ZipArchive } from './archive.js';
export { DEFAULT_ZIP_LIMITS } from './types.js';
export type { ZipEntry, ZipLimits, ZipReadOptions } from './types.js';
