/**
 * Decoding of NotableSyscallEvent arguments. The sensor may report a value
 * as a number, a numeric string (`"0x10000000"`) or symbolic names
 * (`"CLONE_NEWUSER|CLONE_NEWNS"`, `"PTRACE_ATTACH"`); all are accepted.
 */

type ArgValue = string | number | undefined;

const NUMERIC = /^(?:0x[0-9a-f]{1,16}|[0-9]{1,20})$/i;

/** A numeric argument, or undefined when absent or symbolic. */
export function argNumber(v: ArgValue): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && NUMERIC.test(v.trim())) return Number(v.trim());
  return undefined;
}

/**
 * The names of `table` (name → bit) set in a flags argument; undefined when
 * the argument is absent or unreadable.
 */
export function flagNames(v: ArgValue, table: Readonly<Record<string, number>>): string[] | undefined {
  const raw = argNumber(v);
  if (raw !== undefined) {
    // A sign-extended 32-bit value reads as negative.
    const n = raw < 0 ? raw + 2 ** 32 : raw;
    return Object.entries(table)
      .filter(([, bit]) => Math.floor(n / bit) % 2 === 1)
      .map(([name]) => name);
  }
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const tokens = new Set(v.toUpperCase().split(/[|,\s]+/));
  return Object.keys(table).filter((name) => tokens.has(name));
}

/**
 * The symbolic name of an enumerated argument (`16` → `PTRACE_ATTACH`,
 * `"attach"` → `PTRACE_ATTACH`), the number as text when unknown, undefined
 * when absent.
 */
export function enumName(
  v: ArgValue,
  table: Readonly<Record<string, number>>,
  prefix: string,
): string | undefined {
  const n = argNumber(v);
  if (n !== undefined) return Object.entries(table).find(([, x]) => x === n)?.[0] ?? String(n);
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const up = v.trim().toUpperCase();
  return up.startsWith(prefix) ? up : `${prefix}${up}`;
}

export const CLONE_FLAGS: Readonly<Record<string, number>> = {
  CLONE_NEWNS: 0x00020000,
  CLONE_NEWCGROUP: 0x02000000,
  CLONE_NEWUTS: 0x04000000,
  CLONE_NEWIPC: 0x08000000,
  CLONE_NEWUSER: 0x10000000,
  CLONE_NEWPID: 0x20000000,
  CLONE_NEWNET: 0x40000000,
};

export const PTRACE_REQUESTS: Readonly<Record<string, number>> = {
  PTRACE_TRACEME: 0,
  PTRACE_PEEKTEXT: 1,
  PTRACE_PEEKDATA: 2,
  PTRACE_PEEKUSER: 3,
  PTRACE_POKETEXT: 4,
  PTRACE_POKEDATA: 5,
  PTRACE_POKEUSER: 6,
  PTRACE_CONT: 7,
  PTRACE_KILL: 8,
  PTRACE_SINGLESTEP: 9,
  PTRACE_GETREGS: 12,
  PTRACE_SETREGS: 13,
  PTRACE_GETFPREGS: 14,
  PTRACE_SETFPREGS: 15,
  PTRACE_ATTACH: 16,
  PTRACE_DETACH: 17,
  PTRACE_SYSCALL: 24,
  PTRACE_SETOPTIONS: 0x4200,
  PTRACE_GETREGSET: 0x4204,
  PTRACE_SETREGSET: 0x4205,
  PTRACE_SEIZE: 0x4206,
  PTRACE_INTERRUPT: 0x4207,
};

export const BPF_COMMANDS: Readonly<Record<string, number>> = {
  BPF_MAP_CREATE: 0,
  BPF_MAP_LOOKUP_ELEM: 1,
  BPF_MAP_UPDATE_ELEM: 2,
  BPF_MAP_DELETE_ELEM: 3,
  BPF_MAP_GET_NEXT_KEY: 4,
  BPF_PROG_LOAD: 5,
  BPF_OBJ_PIN: 6,
  BPF_OBJ_GET: 7,
  BPF_PROG_ATTACH: 8,
  BPF_PROG_DETACH: 9,
  BPF_PROG_TEST_RUN: 10,
  BPF_RAW_TRACEPOINT_OPEN: 17,
  BPF_BTF_LOAD: 18,
  BPF_LINK_CREATE: 28,
};
