import type { SyscallSetEvent } from '../model/index.js';
import { SYSCALL_MAPS } from './script.js';
import { X86_64_SYSCALLS } from './syscalls-x86_64.js';

const KEY = /^([0-9]{1,20}),([0-9]{1,6})$/;

/** Name of an x86_64 syscall number (`syscall_<n>` when the table lacks it). */
export function syscallName(nr: number): string {
  return X86_64_SYSCALLS.get(nr) ?? `syscall_${nr}`;
}

/**
 * Converts a printed syscall-set map (`{"@mamori_sc0": {"<cgroup>,<nr>": 1}}`)
 * into one event per cgroup. Malformed keys are counted in `bad`.
 */
export function syscallSets(
  maps: Readonly<Record<string, unknown>>,
  time: number,
): { events: SyscallSetEvent[]; bad: number } {
  const byCgroup = new Map<string, Set<string>>();
  let bad = 0;
  for (const name of SYSCALL_MAPS) {
    const m = maps[name];
    if (typeof m !== 'object' || m === null) continue;
    for (const key of Object.keys(m)) {
      const k = KEY.exec(key);
      if (!k) {
        bad++;
        continue;
      }
      const cg = BigInt(k[1]!).toString();
      let set = byCgroup.get(cg);
      if (!set) byCgroup.set(cg, (set = new Set()));
      set.add(syscallName(Number(k[2])));
    }
  }
  const events = [...byCgroup].map(([cgroupId, set]): SyscallSetEvent => ({
    kind: 'syscalls',
    time,
    cgroupId,
    pid: 0,
    comm: '',
    uid: 0,
    syscalls: [...set].sort(),
  }));
  return { events, bad };
}
