/**
 * package-lock.json and npm-shrinkwrap.json: lockfileVersion 1 (a tree of
 * nested `dependencies`) and 2/3 (a flat `packages` map keyed by install
 * path). A bad entry is dropped; the rest of the file still counts.
 */
import { isRecord, isValidName, licensesOf, parseJson, str, type NpmEntry, type NpmFact } from './common.js';

/** Deepest v1 `dependencies` nesting followed (real trees rarely pass 20). */
const MAX_DEPTH = 128;

/** Name of the package a v2/v3 `packages` key points at: the part after the last `node_modules/`. */
export function nameFromLockPath(path: string): string | undefined {
  const i = path.lastIndexOf('node_modules/');
  if (i === -1) return undefined;
  const name = path.slice(i + 'node_modules/'.length);
  return isValidName(name) ? name : undefined;
}

/** `npm:real-name@1.2.3` (an alias's version in v1) → real name and version. */
function unalias(name: string, version: string): { name: string; version: string } | undefined {
  if (!version.startsWith('npm:')) return { name, version };
  const spec = version.slice(4);
  const at = spec.lastIndexOf('@');
  if (at <= 0) return undefined;
  return { name: spec.slice(0, at), version: spec.slice(at + 1) };
}

/** Versions that name a local directory rather than a published package. */
function isLocal(version: string): boolean {
  return version.startsWith('file:') || version.startsWith('link:');
}

function entryFrom(name: string, version: string, v: Record<string, unknown>): NpmEntry | undefined {
  const real = unalias(name, version);
  if (real === undefined || real.version === '' || !isValidName(real.name) || isLocal(real.version))
    return undefined;
  const resolved = str(v['resolved']);
  const integrity = str(v['integrity']);
  const licenses = licensesOf(v);
  return {
    name: real.name,
    version: real.version,
    ...(licenses.length > 0 ? { licenses } : {}),
    ...(resolved !== undefined ? { resolved } : {}),
    ...(integrity !== undefined ? { integrity } : {}),
    // `devOptional` marks a package the production tree may still install (as optional): not dev.
    dev: v['dev'] === true,
  };
}

function parseV1(deps: Record<string, unknown>): NpmEntry[] {
  const out: NpmEntry[] = [];
  const stack: { deps: Record<string, unknown>; depth: number }[] = [{ deps, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    for (const [name, v] of Object.entries(item.deps)) {
      if (!isRecord(v)) continue;
      const version = str(v['version'], 1024);
      const e = version !== undefined ? entryFrom(name, version, v) : undefined;
      if (e !== undefined) out.push(e);
      const nested = v['dependencies'];
      if (isRecord(nested) && item.depth < MAX_DEPTH) stack.push({ deps: nested, depth: item.depth + 1 });
    }
  }
  return out;
}

function parsePackages(packages: Record<string, unknown>): NpmEntry[] {
  const out: NpmEntry[] = [];
  for (const [path, v] of Object.entries(packages)) {
    if (path === '' || !isRecord(v) || v['link'] === true) continue;
    const name = str(v['name'], 214) ?? nameFromLockPath(path);
    const version = str(v['version'], 1024);
    if (name === undefined || version === undefined) continue;
    const e = entryFrom(name, version, v);
    if (e !== undefined) out.push(e);
  }
  return out;
}

/** Parses a package-lock.json or npm-shrinkwrap.json. Throws MamoriError only when the file is not JSON. */
export function parsePackageLock(text: string, path: string): NpmFact | undefined {
  const doc = parseJson(text, 'package-lock', path);
  if (!isRecord(doc)) return undefined;
  const packages = doc['packages'];
  const deps = doc['dependencies'];
  const entries = isRecord(packages) ? parsePackages(packages) : isRecord(deps) ? parseV1(deps) : [];
  return entries.length > 0 ? { kind: 'npm-package-lock', entries } : undefined;
}
