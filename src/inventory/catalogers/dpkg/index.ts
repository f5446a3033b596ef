export { dpkgCataloger, dpkgPurl } from './cataloger.js';
export type { DpkgDb, DpkgFact } from './cataloger.js';
export type { DpkgEntry } from './status.js';
export { parseStanzas, firstLine } from './deb822.js';
export type { Stanza, ParseStanzaOptions } from './deb822.js';
export { parseCopyright } from './copyright.js';
