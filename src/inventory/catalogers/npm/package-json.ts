/**
 * Installed npm packages: the package.json at the root of each package under
 * a node_modules directory (`node_modules/NAME/package.json` or
 * `node_modules/@scope/NAME/package.json`). package.json files deeper inside
 * a package (`lib/package.json` markers, test fixtures) are not packages.
 */
import type { Cataloger, CatalogFile, EntryInfo } from '../../cataloger.js';
import {
  assembleNpm,
  isRecord,
  isValidName,
  licensesOf,
  MAX_FILE_SIZE,
  parseJson,
  readBounded,
  str,
  type NpmEntry,
  type NpmFact,
} from './common.js';

const INSTALLED_RE = /(?:^|\/)node_modules\/((?:@[^/.][^/]*\/)?[^/.@][^/]*)\/package\.json$/;

/** The package directory name a path implies, when it is an installed package's manifest. */
export function installedDirName(path: string): string | undefined {
  return INSTALLED_RE.exec(path)?.[1];
}

/** Parses an installed package.json; undefined when it lacks a valid name or version. */
export function parsePackageJson(text: string, path: string): NpmFact | undefined {
  const doc = parseJson(text, 'package.json', path);
  if (!isRecord(doc)) return undefined;
  const name = str(doc['name'], 214);
  const version = str(doc['version'], 256)?.trim();
  if (name === undefined || version === undefined || version === '' || !isValidName(name)) return undefined;
  const resolved = str(doc['_resolved']);
  const integrity = str(doc['_integrity']);
  const entry: NpmEntry = {
    name,
    version,
    licenses: licensesOf(doc),
    ...(resolved !== undefined ? { resolved } : {}),
    ...(integrity !== undefined ? { integrity } : {}),
  };
  return { kind: 'npm-package-json', entries: [entry] };
}

export const npmPackageCataloger: Cataloger<NpmFact> = {
  name: 'npm-package',
  version: 1,
  tags: ['language', 'image', 'directory'],
  maxFileSize: MAX_FILE_SIZE,
  select(entry: EntryInfo): boolean {
    return INSTALLED_RE.test(entry.path);
  },
  async parse(file: CatalogFile): Promise<NpmFact | undefined> {
    return parsePackageJson(await readBounded(file, 'package.json'), file.path);
  },
  assemble(facts) {
    return assembleNpm(facts, 'npm-package');
  },
};
