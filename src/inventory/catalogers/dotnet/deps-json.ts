/**
 * .NET `*.deps.json` (written by the SDK beside every app): the `libraries`
 * map keyed `Name/Version`. Like Trivy, only `type: "package"` entries (NuGet
 * packages) are reported, not the app's own `project` entries; a package
 * whose entry under the runtime target lists no runtime, native or
 * runtimeTargets assets (analyzers, build-only packages) ships nothing and
 * is skipped.
 */
import { MamoriError } from '../../../core/index.js';

export interface DotnetEntry {
  readonly name: string;
  readonly version: string;
  readonly sha512?: string;
  readonly path?: string;
  readonly hashPath?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' && v.length <= 4096 ? v : undefined;
}

/** NuGet ids: letters, digits, `.`, `_`, `-`; versions: SemVer-ish without spaces or slashes. */
const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,255}$/;
const VERSION_RE = /^[0-9][0-9A-Za-z.+-]{0,127}$/;

function hasAssets(target: Record<string, unknown>): boolean {
  return ['runtime', 'native', 'runtimeTargets', 'resources'].some(
    (k) => isRecord(target[k]) && Object.keys(target[k]).length > 0,
  );
}

/** The target libraries of the file's runtime target, when it names one that exists. */
function runtimeTargetLibs(doc: Record<string, unknown>): Record<string, unknown> | undefined {
  const rt = isRecord(doc['runtimeTarget']) ? str(doc['runtimeTarget']['name']) : undefined;
  const targets = doc['targets'];
  if (rt === undefined || !isRecord(targets)) return undefined;
  const libs = targets[rt];
  return isRecord(libs) ? libs : undefined;
}

/** Parses a deps.json. Throws MamoriError only when the file is not JSON. */
export function parseDepsJson(text: string, path: string): DotnetEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
  } catch (e) {
    throw new MamoriError('INVALID_ARGUMENT', `deps.json ${path} is not valid JSON`, { cause: e });
  }
  if (!isRecord(doc) || !isRecord(doc['libraries'])) return [];
  const targetLibs = runtimeTargetLibs(doc);
  const out: DotnetEntry[] = [];
  for (const [key, lib] of Object.entries(doc['libraries'])) {
    if (!isRecord(lib) || str(lib['type'])?.toLowerCase() !== 'package') continue;
    const parts = key.split('/');
    const [name, version] = parts;
    if (parts.length !== 2 || name === undefined || version === undefined) continue;
    if (!NAME_RE.test(name) || !VERSION_RE.test(version)) continue;
    const target = targetLibs?.[key];
    if (isRecord(target) && !hasAssets(target)) continue;
    const sha512 = str(lib['sha512']);
    const libPath = str(lib['path']);
    const hashPath = str(lib['hashPath']);
    out.push({
      name,
      version,
      ...(sha512 !== undefined ? { sha512 } : {}),
      ...(libPath !== undefined ? { path: libPath } : {}),
      ...(hashPath !== undefined ? { hashPath } : {}),
    });
  }
  return out;
}
