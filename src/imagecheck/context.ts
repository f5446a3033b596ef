/**
 * What every check reads, computed once from an ImageAnalysis: the config
 * (validated), the account databases, which OS package owns which path, the
 * linking facts of executables and the tools found on the filesystem.
 */
import type { LayerRef, Package, RuleFinding } from '../core/index.js';
import { collectFacts, type FileRecord, type FileView, type ImageAnalysis } from '../inventory/index.js';
import type { SecretScanner } from '../secret/index.js';
import { ACCOUNTS_ANALYZER } from './accounts.js';
import { type ConfigView, configView } from './config.js';
import { ELF_ANALYZER } from './elf.js';
import { type HistoryEntry, lintHistory, readHistory } from './history.js';
import { type ConfigVar, scanConfigVars } from './secrets.js';
import { type FsScan, scanFilesystem } from './fsscan.js';
import { findTools, type Tool } from './tools.js';
import type { AccountsFact, ElfFact } from './types.js';

/** One account database as found in the final filesystem. */
export interface AccountDb {
  readonly path: string;
  readonly layer: LayerRef;
  /** id → names, in file order. */
  readonly byId: ReadonlyMap<number, readonly string[]>;
  readonly idByName: ReadonlyMap<string, number>;
  readonly truncated: boolean;
}

export interface EmptyPassword {
  readonly name: string;
  readonly path: string;
  readonly layer: LayerRef;
}

export interface Accounts {
  /** Absent when the image has no /etc/passwd (or it could not be read). */
  readonly passwd?: AccountDb;
  readonly group?: AccountDb;
  readonly emptyPassword: readonly EmptyPassword[];
}

/** One member of the final filesystem and the layer it comes from. */
export interface ViewEntry {
  readonly rec: FileRecord;
  readonly layer: number;
}

export interface CheckContext {
  readonly analysis: ImageAnalysis;
  /** Absent for root filesystems (`dir:`), which have no config. */
  readonly config?: ConfigView;
  readonly view: FileView;
  /** Every member of the final filesystem, in the view's order: walked once, shared by the checks. */
  readonly entries: readonly ViewEntry[];
  /** The LayerRef of a layer index. */
  readonly layer: (index: number) => LayerRef | undefined;
  readonly accounts: Accounts;
  /** Path (as the package lists it, and resolved through symlinks) → the OS package that installed it. */
  readonly owners: ReadonlyMap<string, Package>;
  readonly osPackages: readonly Package[];
  /** Linking facts of executables in the final filesystem, by path. */
  readonly elf: ReadonlyMap<string, ElfFact>;
  /** Shells, package managers, compilers, … on the filesystem. */
  readonly tools: readonly Tool[];
  /** Special files of the final filesystem (setuid, world-writable, unknown owners …). */
  readonly fs: FsScan;
  /** The config history, each entry placed in its layer, secrets masked. */
  readonly history: readonly HistoryEntry[];
  /** Findings of the Dockerfile rules run on the history. */
  readonly historyFindings: readonly RuleFinding[];
  /** Hashes of the secrets the scanner found in the config (see `valueHash`). */
  readonly secretHashes: ReadonlySet<string>;
  /** `Env KEY` / `Label KEY` of the variables the scanner found a secret in. */
  readonly secretKeys: ReadonlySet<string>;
}

function isAccountsFact(v: unknown): v is AccountsFact {
  if (typeof v !== 'object' || v === null) return false;
  const f = (v as { file?: unknown }).file;
  return f === 'passwd' || f === 'group' || f === 'shadow';
}

function isElfFact(v: unknown): v is ElfFact {
  return (
    typeof v === 'object' &&
    v !== null &&
    Array.isArray((v as ElfFact).needed) &&
    (v as ElfFact).needed.every((n) => typeof n === 'string')
  );
}

function validPairs(v: unknown): Array<readonly [string, number]> {
  if (!Array.isArray(v)) return [];
  return v.filter(
    (p): p is [string, number] =>
      Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'number' && Number.isSafeInteger(p[1]),
  );
}

function names(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((n): n is string => typeof n === 'string') : [];
}

function accountDb(path: string, layer: LayerRef, pairs: unknown, truncated: unknown): AccountDb {
  const byId = new Map<number, string[]>();
  const idByName = new Map<string, number>();
  for (const [name, id] of validPairs(pairs)) {
    const list = byId.get(id);
    if (list) list.push(name);
    else byId.set(id, [name]);
    if (!idByName.has(name)) idByName.set(name, id);
  }
  return { path, layer, byId, idByName, truncated: truncated === true };
}

function readAccounts(analysis: ImageAnalysis): Accounts {
  const { visible } = collectFacts(ACCOUNTS_ANALYZER, analysis.layers, analysis.view);
  let passwd: AccountDb | undefined;
  let group: AccountDb | undefined;
  const emptyPassword: EmptyPassword[] = [];
  for (const f of visible) {
    const fact = f.fact;
    if (!isAccountsFact(fact)) continue;
    if (fact.file === 'passwd' && f.path === '/etc/passwd') {
      passwd = accountDb(f.path, f.layer, fact.users, fact.truncated);
      for (const name of names(fact.emptyPassword))
        emptyPassword.push({ name, path: f.path, layer: f.layer });
    } else if (fact.file === 'group' && f.path === '/etc/group') {
      group = accountDb(f.path, f.layer, fact.groups, fact.truncated);
    } else if (fact.file === 'shadow' && f.path === '/etc/shadow') {
      for (const name of names(fact.emptyPassword))
        emptyPassword.push({ name, path: f.path, layer: f.layer });
    }
  }
  return { ...(passwd ? { passwd } : {}), ...(group ? { group } : {}), emptyPassword };
}

const OS_TYPES = new Set(['deb', 'apk', 'rpm']);

function packageFiles(p: Package): readonly string[] {
  const m = p.metadata;
  return (m.kind === 'dpkg' || m.kind === 'apk' || m.kind === 'rpm') && Array.isArray(m.files) ? m.files : [];
}

function ownersOf(packages: readonly Package[], view: FileView): Map<string, Package> {
  const owners = new Map<string, Package>();
  for (const p of packages) {
    for (const f of packageFiles(p)) {
      if (typeof f !== 'string') continue;
      if (!owners.has(f)) owners.set(f, p);
      const r = view.resolve(f);
      if (r !== undefined && r !== f && !owners.has(r)) owners.set(r, p);
    }
  }
  return owners;
}

/**
 * Builds the context of the checks. The scanner finds the known-format
 * secrets of the config (returned apart, as `secrets`); `historyRuleIds` are
 * the Dockerfile rules run on the history.
 */
export function buildContext(
  analysis: ImageAnalysis,
  scanner: SecretScanner,
  historyRuleIds: ReadonlySet<string>,
): { ctx: CheckContext; secrets: RuleFinding[] } {
  const { view } = analysis;
  const refs = new Map<number, LayerRef>(analysis.layers.map((l) => [l.ref.index, l.ref]));
  const osPackages = analysis.inventory.packages.filter((p) => OS_TYPES.has(p.type));
  const owners = ownersOf(osPackages, view);
  const elf = new Map<string, ElfFact>();
  for (const f of collectFacts(ELF_ANALYZER, analysis.layers, view).visible) {
    if (isElfFact(f.fact)) elf.set(f.path, f.fact);
  }
  const config = analysis.config ? configView(analysis.config) : undefined;
  const vars: ConfigVar[] = config
    ? [
        ...config.env.map((e) => ({ kind: 'Env' as const, ...e })),
        ...config.labels.map((l) => ({ kind: 'Label' as const, ...l })),
        { kind: 'Entrypoint', key: '', value: config.entrypoint.join(' ') },
        { kind: 'Cmd', key: '', value: config.cmd.join(' ') },
        {
          kind: 'Healthcheck',
          key: '',
          value: config.health.kind === 'set' ? config.health.command.join(' ') : '',
        },
      ]
    : [];
  const found = scanConfigVars(scanner, vars);
  const accounts = readAccounts(analysis);
  const history = readHistory(analysis.config, analysis.layers, scanner, found.hashes);
  const entries = [...view.entries()];
  const ctx: CheckContext = {
    analysis,
    ...(config ? { config } : {}),
    view,
    entries,
    layer: (i) => refs.get(i),
    accounts,
    owners,
    osPackages,
    elf,
    tools: findTools(view, entries, owners, config?.path ?? []),
    fs: scanFilesystem(entries, accounts, (p) => owners.has(p)),
    history: history.entries,
    historyFindings: lintHistory(history.entries, historyRuleIds, scanner),
    secretHashes: new Set([...found.hashes, ...history.hashes]),
    secretKeys: found.keys,
  };
  return { ctx, secrets: [...found.findings, ...history.secrets] };
}

/** `name version` of the package that owns a path (through symlinks), if any. */
export function ownerOf(ctx: CheckContext, path: string): Package | undefined {
  return ctx.owners.get(path) ?? ctx.owners.get(ctx.view.resolve(path) ?? path);
}

export function packageLabel(p: Package): string {
  return `${p.name} ${p.version}`;
}

/** Installed size of a package: dpkg's Installed-Size, else the sizes of its files in the image. */
export function packageBytes(ctx: CheckContext, p: Package): { bytes: number; files: number } {
  const m = p.metadata;
  const files = m.kind === 'dpkg' || m.kind === 'apk' || m.kind === 'rpm' ? m.files : [];
  let sum = 0;
  let count = 0;
  for (const f of files) {
    const e = ctx.view.get(ctx.view.resolve(f) ?? f);
    if (e && (e.rec.k === 'f' || e.rec.k === 'h')) {
      count++;
      sum += e.rec.s;
    }
  }
  const declared =
    m.kind === 'dpkg' && typeof m.installedSize === 'number' ? m.installedSize * 1024 : undefined;
  return { bytes: declared ?? sum, files: count };
}
