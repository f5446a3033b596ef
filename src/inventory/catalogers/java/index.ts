export { javaArchiveCataloger, createJavaArchiveCataloger } from './cataloger.js';
export { DEFAULT_JAVA_ARCHIVE_OPTIONS } from './types.js';
export type { JavaArchiveOptions, JavaArchivePackage, JavaFact } from './types.js';
