/**
 * Tools an intruder uses after getting code execution, found by name in the
 * directories a shell searches (the standard bin directories and PATH): a
 * name counts when it is a regular file or a symlink that resolves to one
 * (busybox applets, Debian alternatives).
 */
import { type Package, SYSTEM_BIN_DIRS } from '../core/index.js';
import type { FileView } from '../inventory/index.js';
import type { SurfaceCategory } from './types.js';
import type { ViewEntry } from './context.js';

export type ToolCategory = Extract<
  SurfaceCategory,
  'shell' | 'package-manager' | 'compiler' | 'debugger' | 'network-tool' | 'ssh-server'
>;

/** Names by category, matched against a file's base name. */
export const TOOL_NAMES: ReadonlyArray<readonly [ToolCategory, RegExp]> = [
  ['shell', /^(?:sh|bash|rbash|dash|ash|zsh|ksh|ksh93|mksh|pdksh|csh|tcsh|fish|busybox|toybox)$/],
  [
    'package-manager',
    /^(?:apt|apt-get|aptitude|dpkg|apk|rpm|yum|dnf|dnf-3|dnf5|microdnf|tdnf|zypper|pacman|pip(?:[0-9]+(?:\.[0-9]+)?)?|npm|yarn|pnpm|gem|conda|easy_install)$/,
  ],
  [
    'compiler',
    /^(?:(?:[a-z0-9_]+-linux-[a-z0-9_]+-)?(?:cc|c\+\+|c89|c99|gcc|g\+\+|cpp|gfortran|clang|clang\+\+|tcc|as|ld|ld\.bfd|ld\.gold|ld\.lld)(?:-[0-9]+(?:\.[0-9]+)*)?|go|rustc|cargo|javac)$/,
  ],
  [
    'debugger',
    /^(?:gdb|gdbserver|gdb-multiarch|lldb(?:-[0-9]+)?|lldb-server|strace|ltrace|valgrind|perf|bpftrace|dlv)$/,
  ],
  [
    'network-tool',
    /^(?:curl|wget|wget2|nc|netcat|nc\.openbsd|nc\.traditional|ncat|socat|telnet|ftp|tftp|ssh|scp|sftp|nmap|tcpdump|tshark)$/,
  ],
  ['ssh-server', /^(?:sshd|dropbear)$/],
];

/** Where shells look for commands whatever PATH says. */
export const BIN_DIRS = SYSTEM_BIN_DIRS;

export interface Tool {
  readonly category: ToolCategory;
  /** The name it is called by (`/usr/bin/sh`). */
  readonly path: string;
  /** The regular file that runs (`/usr/bin/dash`). */
  readonly target: string;
  readonly layer: number;
  readonly owner?: Package;
}

export function toolCategory(name: string): ToolCategory | undefined {
  for (const [category, re] of TOOL_NAMES) if (re.test(name)) return category;
  return undefined;
}

/** Every tool in the bin directories and PATH (`pathDirs`), in path order. */
export function findTools(
  view: FileView,
  entries: readonly ViewEntry[],
  owners: ReadonlyMap<string, Package>,
  pathDirs: readonly string[],
): Tool[] {
  const dirs = new Set<string>();
  for (const d of [...BIN_DIRS, ...pathDirs]) {
    const r = view.resolve(d);
    if (r !== undefined) dirs.add(r);
  }
  const tools: Tool[] = [];
  for (const { rec, layer } of entries) {
    if (rec.k !== 'f' && rec.k !== 'h' && rec.k !== 'l') continue;
    const slash = rec.p.lastIndexOf('/');
    const dir = slash <= 0 ? '/' : rec.p.slice(0, slash);
    if (!dirs.has(dir)) continue;
    const category = toolCategory(rec.p.slice(slash + 1));
    if (category === undefined) continue;
    const target = rec.k === 'l' ? view.resolve(rec.p) : rec.p;
    if (target === undefined) continue;
    const t = view.get(target);
    if (!t || (t.rec.k !== 'f' && t.rec.k !== 'h')) continue;
    const owner = owners.get(rec.p) ?? owners.get(target);
    tools.push({ category, path: rec.p, target, layer, ...(owner ? { owner } : {}) });
  }
  return tools;
}
