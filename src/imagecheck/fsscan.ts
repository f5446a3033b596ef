/**
 * One walk over the final filesystem collecting what the file rules and the
 * attack surface read: setuid/setgid files, world-writable paths, owners the
 * account databases do not name, credential files and VCS directories.
 */
import type { FileRecord } from '../inventory/index.js';
import type { Accounts, ViewEntry } from './context.js';

export interface FsEntry {
  readonly path: string;
  readonly layer: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly kind: FileRecord['k'];
}

export interface UnknownOwner {
  readonly id: number;
  /** Files with this owner (all of them). */
  count: number;
  /** The first few, in path order. */
  readonly paths: string[];
  readonly layers: Set<number>;
  readonly firstLayer: number;
}

export interface FsScan {
  readonly setuid: readonly FsEntry[];
  readonly setgid: readonly FsEntry[];
  readonly worldWritable: readonly FsEntry[];
  readonly unknownUids: ReadonlyMap<number, UnknownOwner>;
  readonly unknownGids: ReadonlyMap<number, UnknownOwner>;
  readonly credentialFiles: readonly FsEntry[];
  readonly vcsDirs: readonly FsEntry[];
}

/** Paths kept per list; beyond, only counts grow. */
export const MAX_LISTED = 1000;
const EXAMPLES = 5;

/** Files whose whole purpose is holding a credential (Dockle's CIS-DI-0010 list, narrowed to those). */
const CREDENTIAL_FILES = new Set([
  'id_rsa',
  'id_dsa',
  'id_ecdsa',
  'id_ed25519',
  '.git-credentials',
  '.netrc',
  '.pgpass',
  '.vault-token',
  '.pypirc',
  'credentials.json',
  'credential.json',
]);
/** Credential files known by their directory. */
const CREDENTIAL_PATHS = [/\/\.aws\/credentials$/, /\/\.docker\/config\.json$/, /\/\.kube\/config$/];
const VCS_DIRS = new Set(['.git', '.svn', '.hg']);
/** Vendored dependency trees ship fixtures (test keys, .git of a vendored repo) the image owner did not choose. */
const VENDORED = /\/(?:node_modules|vendor|site-packages|dist-packages|gems|testdata|fixtures?|tests?)\//;

function isCredentialFile(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return CREDENTIAL_FILES.has(base) || CREDENTIAL_PATHS.some((r) => r.test(path));
}

function note(map: Map<number, UnknownOwner>, id: number, path: string, layer: number): void {
  let u = map.get(id);
  if (!u) map.set(id, (u = { id, count: 0, paths: [], layers: new Set(), firstLayer: layer }));
  u.count++;
  if (u.paths.length < EXAMPLES) u.paths.push(path);
  u.layers.add(layer);
}

export function scanFilesystem(
  entries: readonly ViewEntry[],
  accounts: Accounts,
  owned: (path: string) => boolean,
): FsScan {
  const setuid: FsEntry[] = [];
  const setgid: FsEntry[] = [];
  const worldWritable: FsEntry[] = [];
  const credentialFiles: FsEntry[] = [];
  const vcsDirs: FsEntry[] = [];
  const unknownUids = new Map<number, UnknownOwner>();
  const unknownGids = new Map<number, UnknownOwner>();
  const users = accounts.passwd && !accounts.passwd.truncated ? accounts.passwd.byId : undefined;
  const groups = accounts.group && !accounts.group.truncated ? accounts.group.byId : undefined;
  const push = (list: FsEntry[], e: FsEntry) => {
    if (list.length < MAX_LISTED) list.push(e);
  };
  let insideVcs: string | undefined;
  for (const { rec, layer } of entries) {
    const e: FsEntry = { path: rec.p, layer, mode: rec.m, uid: rec.u, gid: rec.g, kind: rec.k };
    const file = rec.k === 'f' || rec.k === 'h';
    if (file && (rec.m & 0o4000) !== 0) push(setuid, e);
    if (file && (rec.m & 0o2000) !== 0) push(setgid, e);
    // Symlinks are always 0777 and device nodes are the runtime's business: neither counts.
    if ((file || rec.k === 'd') && (rec.m & 0o002) !== 0 && !(rec.k === 'd' && (rec.m & 0o1000) !== 0)) {
      push(worldWritable, e);
    }
    if (users && rec.u !== 0 && !users.has(rec.u)) note(unknownUids, rec.u, rec.p, layer);
    if (groups && rec.g !== 0 && !groups.has(rec.g)) note(unknownGids, rec.g, rec.p, layer);
    if (insideVcs !== undefined && !rec.p.startsWith(insideVcs)) insideVcs = undefined;
    if (VENDORED.test(rec.p)) continue;
    if (file && rec.s > 0 && isCredentialFile(rec.p) && !owned(rec.p)) push(credentialFiles, e);
    const base = rec.p.slice(rec.p.lastIndexOf('/') + 1);
    if (rec.k === 'd' && insideVcs === undefined && VCS_DIRS.has(base) && !owned(rec.p)) {
      push(vcsDirs, e);
      insideVcs = `${rec.p}/`;
    }
  }
  return { setuid, setgid, worldWritable, unknownUids, unknownGids, credentialFiles, vcsDirs };
}
