/**
 * pnpm-lock.yaml, lockfileVersion 5.x, 6.x and 9.x. Package keys:
 * - 5.x: `/name/1.0.0`, `/@scope/name/1.0.0_peer@2.0.0`;
 * - 6.x: `/name@1.0.0`, `/@scope/name@1.0.0(peer@2.0.0)`;
 * - 9.x: `name@1.0.0` in `packages`, with peers only in `snapshots` keys.
 * 5.x and 6.x record `dev` per package; for 9.x it is worked out from the
 * importers' dependency lists through the `snapshots` graph.
 */
import { parse as parseYaml } from 'yaml';
import { MamoriError } from '../../../core/index.js';
import { isRecord, isValidName, str, type NpmEntry, type NpmFact } from './common.js';

/** Name and version from a `packages` key of the given lockfile major version. */
export function parsePnpmKey(key: string, major: number): { name: string; version: string } | undefined {
  let k = key.startsWith('/') ? key.slice(1) : key;
  const paren = k.indexOf('(');
  if (paren !== -1) k = k.slice(0, paren);
  let name: string;
  let version: string;
  if (major < 6) {
    const parts = k.split('/');
    const v = parts.pop();
    const n = parts.pop();
    if (v === undefined || n === undefined) return undefined;
    const scope = parts.pop();
    name = scope?.startsWith('@') === true ? `${scope}/${n}` : n;
    const peer = v.indexOf('_');
    version = peer === -1 ? v : v.slice(0, peer);
  } else {
    const at = k.lastIndexOf('@');
    if (at <= 0) return undefined;
    version = k.slice(at + 1);
    const segs = k.slice(0, at).split('/');
    const n = segs.pop();
    const scope = segs.pop();
    if (n === undefined) return undefined;
    name = scope?.startsWith('@') === true ? `${scope}/${n}` : n;
  }
  if (version === '' || !isValidName(name)) return undefined;
  return { name, version };
}

/** Strips a `(peer@x)` suffix: snapshot key → packages key. */
function baseKey(key: string): string {
  const i = key.indexOf('(');
  return i === -1 ? key : key.slice(0, i);
}

/** Snapshot key of a dependency reference (`1.0.0(peer@1)`, or an alias's `real@1.0.0`). */
function refKey(name: string, ref: string): string {
  return baseKey(ref).lastIndexOf('@') > 0 ? ref : `${name}@${ref}`;
}

function depRefs(v: unknown, withSpecifier: boolean): [string, string][] {
  if (!isRecord(v)) return [];
  const out: [string, string][] = [];
  for (const [name, d] of Object.entries(v)) {
    const ref = withSpecifier && isRecord(d) ? str(d['version']) : str(d);
    if (ref !== undefined && !ref.startsWith('link:')) out.push([name, refKey(name, ref)]);
  }
  return out;
}

/** Keys of `packages` reachable only from importers' devDependencies (9.x); undefined when the graph is absent. */
function devKeysV9(doc: Record<string, unknown>): Set<string> | undefined {
  const importers = doc['importers'];
  const snapshots = doc['snapshots'];
  if (!isRecord(importers) || !isRecord(snapshots)) return undefined;
  const walk = (roots: string[]): Set<string> => {
    const seen = new Set<string>();
    const stack = [...roots];
    for (let k = stack.pop(); k !== undefined; k = stack.pop()) {
      if (seen.has(k)) continue;
      seen.add(k);
      const snap = snapshots[k];
      if (!isRecord(snap)) continue;
      for (const field of ['dependencies', 'optionalDependencies']) {
        for (const [, ref] of depRefs(snap[field], false)) if (!seen.has(ref)) stack.push(ref);
      }
    }
    return new Set([...seen].map(baseKey));
  };
  const prodRoots: string[] = [];
  const devRoots: string[] = [];
  for (const imp of Object.values(importers)) {
    if (!isRecord(imp)) continue;
    for (const field of ['dependencies', 'optionalDependencies']) {
      for (const [, ref] of depRefs(imp[field], true)) prodRoots.push(ref);
    }
    for (const [, ref] of depRefs(imp['devDependencies'], true)) devRoots.push(ref);
  }
  const prod = walk(prodRoots);
  return new Set([...walk(devRoots)].filter((k) => !prod.has(k)));
}

/** Parses a pnpm-lock.yaml. Throws MamoriError only when the file is not YAML. */
export function parsePnpmLock(text: string, path: string): NpmFact | undefined {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100, uniqueKeys: false, logLevel: 'error' });
  } catch (e) {
    throw new MamoriError('INVALID_ARGUMENT', `pnpm-lock ${path} is not valid YAML`, { cause: e });
  }
  if (!isRecord(doc)) return undefined;
  const major = Number.parseInt(String(doc['lockfileVersion'] ?? ''), 10);
  const packages = doc['packages'];
  if (!Number.isFinite(major) || !isRecord(packages)) return undefined;
  const devKeys = major >= 9 ? devKeysV9(doc) : undefined;
  const entries: NpmEntry[] = [];
  for (const [key, v] of Object.entries(packages)) {
    if (!isRecord(v)) continue;
    const fromKey = parsePnpmKey(key, major);
    const name = str(v['name'], 214) ?? fromKey?.name;
    const version = str(v['version'], 256) ?? fromKey?.version;
    if (name === undefined || version === undefined || version.includes(':') || !isValidName(name)) continue;
    const res = isRecord(v['resolution']) ? v['resolution'] : {};
    const integrity = str(res['integrity']);
    const resolved = str(res['tarball']);
    const dev =
      typeof v['dev'] === 'boolean'
        ? v['dev']
        : devKeys !== undefined
          ? devKeys.has(baseKey(key))
          : undefined;
    entries.push({
      name,
      version,
      ...(resolved !== undefined ? { resolved } : {}),
      ...(integrity !== undefined ? { integrity } : {}),
      ...(dev !== undefined ? { dev } : {}),
    });
  }
  return entries.length > 0 ? { kind: 'pnpm-lock', entries } : undefined;
}
