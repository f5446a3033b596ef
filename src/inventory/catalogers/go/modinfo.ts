/**
 * The module-information text a Go binary carries (the reverse of
 * `runtime/debug.BuildInfo.String`, as `debug.ParseBuildInfo` reads it):
 *
 *   path  <main package>
 *   mod   <path> <version> [<sum>]
 *   dep   <path> <version> [<sum>]
 *   =>    <path> <version> <sum>      (replaces the module on the line before)
 *   build <key>=<value>               (key and value Go-quoted when needed)
 *
 * Fields are tab-separated. A malformed line is dropped rather than failing
 * the whole binary; well-formed text yields exactly what Go reads.
 */
import { quotedPrefix, unquoteGo } from './gostring.js';
import type { GoBuildSetting, GoModule } from './types.js';

export interface ParsedModinfo {
  readonly path?: string;
  readonly main?: GoModule;
  readonly deps: readonly GoModule[];
  readonly settings: readonly GoBuildSetting[];
}

interface MutableModule {
  path: string;
  version: string;
  sum?: string;
  replace?: GoModule;
}

function moduleFrom(cols: readonly string[], minCols: number): MutableModule | undefined {
  if (cols.length < minCols || cols.length > 3) return undefined;
  const [path = '', version = '', sum = ''] = cols;
  return sum === '' ? { path, version } : { path, version, sum };
}

const needsQuotedKey = (k: string): boolean => k.length === 0 || /[= \t\r\n"`]/.test(k);
const needsQuotedValue = (v: string): boolean => /[ \t\r\n"`]/.test(v);

/** One `build` line's `key=value`, or undefined when malformed. */
export function parseBuildSetting(kv: string): GoBuildSetting | undefined {
  let key: string;
  let rawValue: string;
  const first = kv[0];
  if (first === undefined || first === '=') return undefined;
  if (first === '"' || first === '`') {
    const n = quotedPrefix(kv);
    if (n === undefined || kv[n] !== '=') return undefined;
    const k = unquoteGo(kv.slice(0, n));
    if (k === undefined) return undefined;
    key = k;
    rawValue = kv.slice(n + 1);
  } else {
    const eq = kv.indexOf('=');
    if (eq === -1) return undefined;
    key = kv.slice(0, eq);
    rawValue = kv.slice(eq + 1);
    if (needsQuotedKey(key)) return undefined;
  }
  let value = rawValue;
  if (rawValue.startsWith('"') || rawValue.startsWith('`')) {
    const v = unquoteGo(rawValue);
    if (v === undefined) return undefined;
    value = v;
  } else if (needsQuotedValue(rawValue)) {
    return undefined;
  }
  return { key, value };
}

/** Parses module-information text (sentinels already stripped). */
export function parseModinfo(text: string): ParsedModinfo {
  let path: string | undefined;
  let main: MutableModule | undefined;
  const deps: MutableModule[] = [];
  const settings: GoBuildSetting[] = [];
  let last: MutableModule | undefined;
  for (let pos = 0; ;) {
    // As in Go, a final line without a newline is not read.
    const nl = text.indexOf('\n', pos);
    if (nl === -1) break;
    const line = text.slice(pos, nl);
    pos = nl + 1;
    const tab = line.indexOf('\t');
    if (tab === -1) continue;
    const word = line.slice(0, tab);
    const body = line.slice(tab + 1);
    switch (word) {
      case 'path':
        path = body;
        break;
      case 'mod':
        main = moduleFrom(body.split('\t'), 2);
        last = main;
        break;
      case 'dep': {
        const m = moduleFrom(body.split('\t'), 2);
        if (m !== undefined) deps.push(m);
        last = m;
        break;
      }
      case '=>': {
        const r = moduleFrom(body.split('\t'), 3);
        if (r !== undefined && last !== undefined) last.replace = r;
        last = undefined;
        break;
      }
      case 'build': {
        const s = parseBuildSetting(body);
        if (s !== undefined) settings.push(s);
        break;
      }
      default:
        break;
    }
  }
  return {
    ...(path !== undefined ? { path } : {}),
    ...(main !== undefined ? { main } : {}),
    deps,
    settings,
  };
}
