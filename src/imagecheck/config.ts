/**
 * The image config as the checks read it: every field re-validated (the
 * config is hostile JSON, and an ImageAnalysis may come from anywhere),
 * bounded, and with the runtime defaults Docker and containerd apply.
 */
import type { ImageConfig } from '../image/index.js';

/** Docker's and containerd's PATH when the image sets none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const MAX_ITEMS = 10_000;
const MAX_TEXT = 64 * 1024;

export interface EnvVar {
  readonly key: string;
  readonly value: string;
}

export type HealthState =
  | { readonly kind: 'missing' }
  | { readonly kind: 'none' }
  | { readonly kind: 'set'; readonly command: readonly string[] };

export interface ConfigView {
  readonly os?: string;
  readonly user?: string;
  readonly env: readonly EnvVar[];
  readonly labels: readonly EnvVar[];
  readonly exposedPorts: readonly string[];
  readonly volumes: readonly string[];
  readonly health: HealthState;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly workingDir: string;
  /** Directories of PATH, from Env or the runtime default. */
  readonly path: readonly string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bounded(s: string): string {
  return s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s;
}

function strings(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v
    .slice(0, MAX_ITEMS)
    .filter((x): x is string => typeof x === 'string')
    .map(bounded);
}

function keys(v: unknown): string[] {
  return isRecord(v) ? Object.keys(v).slice(0, MAX_ITEMS).map(bounded) : [];
}

function health(v: unknown): HealthState {
  if (!isRecord(v)) return { kind: 'missing' };
  const test = strings(v.Test);
  if (test[0] === 'NONE') return { kind: 'none' };
  // An empty Test means "inherit": in a final config there is nothing left to inherit.
  if (test.length === 0 || (test[0] !== 'CMD' && test[0] !== 'CMD-SHELL')) return { kind: 'missing' };
  return { kind: 'set', command: test.slice(1) };
}

/** The config's fields the checks read, validated. */
export function configView(config: ImageConfig | undefined): ConfigView {
  const c: Record<string, unknown> = isRecord(config?.config) ? config.config : {};
  const env: EnvVar[] = [];
  for (const e of strings(c.Env)) {
    const eq = e.indexOf('=');
    env.push(eq === -1 ? { key: e, value: '' } : { key: e.slice(0, eq), value: e.slice(eq + 1) });
  }
  const labels: EnvVar[] = [];
  if (isRecord(c.Labels)) {
    for (const [k, v] of Object.entries(c.Labels).slice(0, MAX_ITEMS)) {
      if (typeof v === 'string') labels.push({ key: bounded(k), value: bounded(v) });
    }
  }
  const pathVar = [...env].reverse().find((e) => e.key === 'PATH');
  const path = (pathVar ? pathVar.value : DEFAULT_PATH)
    .split(':')
    .filter((d) => d.startsWith('/'))
    .slice(0, 64);
  const os = typeof config?.os === 'string' ? config.os : undefined;
  const user = typeof c.User === 'string' ? bounded(c.User) : undefined;
  const wd = typeof c.WorkingDir === 'string' && c.WorkingDir.startsWith('/') ? bounded(c.WorkingDir) : '/';
  return {
    ...(os !== undefined ? { os } : {}),
    ...(user !== undefined ? { user } : {}),
    env,
    labels,
    exposedPorts: keys(c.ExposedPorts),
    volumes: keys(c.Volumes),
    health: health(c.Healthcheck),
    entrypoint: strings(c.Entrypoint),
    cmd: strings(c.Cmd),
    workingDir: wd,
    path,
  };
}

/** A hostile string made fit for one line of a message: control characters replaced, length bounded. */
export function shown(s: string, max = 120): string {
  const one = s.slice(0, max * 2).replace(/[\p{Cc}\u2028\u2029]/gu, '?');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh']);

export function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** The command the container runs: ENTRYPOINT followed by CMD (CMD alone when there is no ENTRYPOINT). */
export function effectiveArgv(cfg: ConfigView): readonly string[] {
  return [...cfg.entrypoint, ...cfg.cmd];
}

/** `["/bin/sh", "-c", script]`: the shell form Docker writes for `CMD script`. */
export function shellForm(argv: readonly string[]): { shell: string; script: string } | undefined {
  const [exe, flag, script] = argv;
  if (exe === undefined || flag !== '-c' || script === undefined) return undefined;
  return SHELLS.has(basename(exe)) ? { shell: exe, script } : undefined;
}
