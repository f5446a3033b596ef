import { isAbsolute, resolve } from 'node:path';
import { didYouMean, errorMessage } from '../core/index.js';
import { MAX_SECRET_FILE_BYTES, readBounded } from './file.js';
import type { Setting } from './settings.js';
import { allSettings, flagName } from './settings.js';
import type { ServerFlags } from './types.js';
import { InvalidValue, shown } from './values.js';

/** Where a raw value came from, as written in messages: `server.gc.interval`, `MAMORI_GC_INTERVAL (server.gc.interval)`. */
interface Candidate {
  readonly where: string;
  readonly raw: unknown;
  /** The raw value is the path of a file holding the secret. */
  readonly fromFile: boolean;
}

/** Collects problems and warnings while the configuration is read. */
export interface Problems {
  readonly errors: string[];
  readonly warnings: string[];
  /** Paths of settings with an invalid value: rules involving them are not checked again. */
  readonly failed: Set<string>;
}

function isMapping(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Keys allowed under each dotted prefix of the `server:` section, from the settings table. */
function keyTree(): Map<string, Set<string>> {
  const tree = new Map<string, Set<string>>();
  const add = (path: string): void => {
    const parts = path.split('.');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('.');
      const set = tree.get(prefix) ?? new Set<string>();
      set.add(parts[i] ?? '');
      tree.set(prefix, set);
    }
  };
  for (const s of allSettings()) {
    add(s.path);
    if (s.secret) add(`${s.path}File`);
  }
  return tree;
}

/**
 * Flattens the `server:` mapping of mamori.yaml into dotted paths, reporting
 * unknown keys (with a suggestion) and sections that are not mappings. A
 * null value (`key:` with nothing after it) counts as not set.
 */
export function flattenServerSection(raw: unknown, problems: Problems): Map<string, unknown> {
  const tree = keyTree();
  const out = new Map<string, unknown>();
  const walk = (node: unknown, prefix: string): void => {
    if (node === null || node === undefined) return;
    if (!isMapping(node)) {
      problems.errors.push(`${prefix}: expected a mapping, got ${shown(node)}`);
      return;
    }
    const allowed = tree.get(prefix) ?? new Set<string>();
    for (const key of Object.keys(node)) {
      const path = `${prefix}.${key}`;
      if (!allowed.has(key)) {
        problems.errors.push(`${prefix}: unknown key ${shown(key)}${didYouMean(key, [...allowed])}`);
        continue;
      }
      const value = node[key];
      if (tree.has(path)) walk(value, path);
      else if (value !== null && value !== undefined) out.set(path, value);
    }
  };
  walk(raw, 'server');
  return out;
}

function fromEnv(s: Setting<unknown>, env: NodeJS.ProcessEnv, problems: Problems): Candidate[] {
  const found: Candidate[] = [];
  for (const [i, name] of s.env.entries()) {
    const plain = env[name];
    const file = s.secret ? env[`${name}_FILE`] : undefined;
    if (plain) found.push({ where: `${name} (${s.path})`, raw: plain, fromFile: false });
    if (file) found.push({ where: `${name}_FILE (${s.path})`, raw: file, fromFile: true });
    if (plain || file) {
      if (i > 0) problems.warnings.push(`${name} is deprecated: use ${s.env[0]}`);
      break;
    }
  }
  return found;
}

/** A relative path written in mamori.yaml is relative to the file's directory. */
function underDir(raw: unknown, dir: string): unknown {
  return typeof raw === 'string' && raw !== '' && !isAbsolute(raw) ? resolve(dir, raw) : raw;
}

function fromFile(s: Setting<unknown>, values: Map<string, unknown>, dir: string): Candidate[] {
  const found: Candidate[] = [];
  if (values.has(s.path)) {
    const raw = values.get(s.path);
    found.push({ where: s.path, raw: s.isPath ? underDir(raw, dir) : raw, fromFile: false });
  }
  if (s.secret && values.has(`${s.path}File`)) {
    found.push({ where: `${s.path}File`, raw: underDir(values.get(`${s.path}File`), dir), fromFile: true });
  }
  return found;
}

async function parseCandidate(s: Setting<unknown>, c: Candidate): Promise<unknown> {
  if (!c.fromFile) return s.parse(c.raw);
  if (typeof c.raw !== 'string' || c.raw === '')
    throw new InvalidValue(`expected a file path, got ${shown(c.raw)}`);
  let content: string;
  try {
    content = (await readBounded(c.raw, MAX_SECRET_FILE_BYTES, 'secret file')).toString('utf8');
  } catch (e) {
    throw new InvalidValue(errorMessage(e));
  }
  // One trailing newline is the file's, not the secret's.
  return s.parse(content.replace(/\r?\n$/, ''));
}

/**
 * Resolves every setting: flags over environment over file over default.
 * Each layer that gives a value is validated (a broken file is reported even
 * when the environment overrides it). A layer giving both a secret and its
 * file is an error. Relative paths in the file are taken from `fileDir`;
 * those in flags and the environment are left as given (the working
 * directory).
 */
export async function resolveSettings(
  fileValues: Map<string, unknown>,
  fileDir: string,
  env: NodeJS.ProcessEnv,
  flags: Partial<ServerFlags>,
  problems: Problems,
): Promise<Map<Setting<unknown>, unknown>> {
  const values = new Map<Setting<unknown>, unknown>();
  for (const s of allSettings()) {
    const flagValue = s.flag === undefined ? undefined : flags[s.flag];
    const layers: Candidate[][] = [
      flagValue === undefined || s.flag === undefined
        ? []
        : [{ where: `${flagName(s.flag)} (${s.path})`, raw: flagValue, fromFile: false }],
      fromEnv(s, env, problems),
      fromFile(s, fileValues, fileDir),
    ];
    let chosen = false;
    for (const layer of layers) {
      if (layer.length > 1) {
        problems.errors.push(
          `${layer.map((c) => c.where).join(' and ')}: give the secret or its file, not both`,
        );
      }
      const c = layer[0];
      if (c === undefined) continue;
      try {
        const value = await parseCandidate(s, c);
        if (!chosen) values.set(s, value);
      } catch (e) {
        if (!(e instanceof InvalidValue)) throw e;
        problems.errors.push(`${c.where}: ${e.message}`);
        problems.failed.add(s.path);
      }
      chosen = true;
    }
    if (!chosen && s.default !== undefined) values.set(s, s.default);
  }
  return values;
}
