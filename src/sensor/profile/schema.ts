/**
 * Validation of a stored profile. Files on disk are untrusted: required
 * fields must be well-formed (else the whole file is rejected), list
 * elements that are malformed are dropped, and every list is cut at its cap.
 */
import { MamoriError } from '../../core/errors.js';
import { generaliseAddress } from './generalise.js';
import {
  DEFAULT_LIMITS,
  DIMENSIONS,
  PROFILE_SCHEMA,
  type BehaviourProfile,
  type Dimension,
  type ExecutableEntry,
  type ListenEntry,
  type PeerEntry,
  type ProfileLimits,
  type ProfileMode,
} from './types.js';

export const ID_RE = /^[0-9a-f]{16}$/;
export const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,127}$/;
const MODES: readonly ProfileMode[] = ['learn', 'monitor', 'protect'];
const SOURCES = ['initial', 'automatic', 'manual'] as const;
const PROTOCOLS = ['tcp', 'udp', 'unix', 'other'] as const;
const SHA = /^sha256:[0-9a-f]{64}$/;
const SYSCALL = /^[a-z0-9_]{1,40}$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPort = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535;
const isPattern = (v: unknown): v is string =>
  typeof v === 'string' && v.startsWith('/') && v.length <= 4096 && !/[\0\n\r]/.test(v);

function bad(msg: string): never {
  throw new MamoriError('INVALID_ARGUMENT', `invalid profile: ${msg}`);
}

function time(o: Obj, k: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) bad(`${k} is not a time`);
  return v;
}

function list<T>(v: unknown, cap: number, pick: (e: unknown) => T | undefined): T[] {
  if (!Array.isArray(v)) return [];
  const out: T[] = [];
  for (const e of v.slice(0, cap * 2)) {
    const x = pick(e);
    if (x !== undefined && out.length < cap) out.push(x);
  }
  return out;
}

function oneOf<T extends string>(v: unknown, all: readonly T[]): T | undefined {
  return all.find((a) => a === v);
}

/** A validated profile from untrusted JSON; throws MamoriError INVALID_ARGUMENT when unusable. */
export function parseProfile(raw: unknown, limits: ProfileLimits = DEFAULT_LIMITS): BehaviourProfile {
  if (!isObj(raw)) bad('not an object');
  if (raw.schema !== PROFILE_SCHEMA) bad(`unsupported schema ${String(raw.schema).slice(0, 20)}`);
  const id = raw.id;
  const name = raw.name;
  if (typeof id !== 'string' || !ID_RE.test(id)) bad('bad id');
  if (typeof name !== 'string' || !NAME_RE.test(name)) bad('bad name');
  const mode = oneOf(raw.mode, MODES) ?? bad('bad mode');
  const modeSource = oneOf(raw.modeSource, SOURCES) ?? bad('bad modeSource');
  if (typeof raw.image !== 'string' || raw.image.length > 512) bad('bad image');
  const command = list(raw.command, 64, (a) => (typeof a === 'string' ? a.slice(0, 1024) : undefined));
  const executables = list<ExecutableEntry>(raw.executables, limits.executables, (e) => {
    if (!isObj(e) || !isPattern(e.path)) return undefined;
    const sha =
      e.sha256 === 'any'
        ? 'any'
        : list(e.sha256, limits.hashesPerExecutable, (h) =>
            typeof h === 'string' && SHA.test(h) ? h : undefined,
          );
    return { path: e.path, sha256: sha };
  });
  const connects = list<PeerEntry>(raw.connects, limits.connects, (e) => {
    if (!isObj(e) || !isPort(e.port) || typeof e.address !== 'string') return undefined;
    const protocol = oneOf(e.protocol, PROTOCOLS);
    if (protocol === undefined) return undefined;
    const cidr = /^([0-9a-f.:]+)\/(\d+)$/.exec(e.address);
    const ok =
      protocol === 'unix'
        ? isPattern(e.address) || /^@[^\0\n\r]{0,255}$/.test(e.address)
        : cidr !== null && generaliseAddress('inet', cidr[1]) !== undefined;
    return ok ? { protocol, address: e.address, port: e.port } : undefined;
  });
  const listens = list<ListenEntry>(raw.listens, limits.listens, (e) => {
    if (!isObj(e) || !isPort(e.port)) return undefined;
    const protocol = oneOf(e.protocol, PROTOCOLS);
    return protocol === undefined ? undefined : { protocol, port: e.port };
  });
  const paths = (v: unknown, cap: number): string[] => list(v, cap, (p) => (isPattern(p) ? p : undefined));
  return {
    schema: PROFILE_SCHEMA,
    id,
    name,
    image: raw.image,
    command,
    mode,
    modeSource,
    createdAt: time(raw, 'createdAt'),
    learnStartedAt: time(raw, 'learnStartedAt'),
    lastChangeAt: time(raw, 'lastChangeAt'),
    modeChangedAt: time(raw, 'modeChangedAt'),
    executables,
    connects,
    listens,
    writes: paths(raw.writes, limits.writes),
    reads: paths(raw.reads, limits.reads),
    syscalls: list(raw.syscalls, limits.syscalls, (s) =>
      typeof s === 'string' && SYSCALL.test(s) ? s : undefined,
    ),
    overflow: list<Dimension>(raw.overflow, DIMENSIONS.length, (d) => oneOf(d, DIMENSIONS)),
  };
}
