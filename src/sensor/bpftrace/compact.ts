/**
 * Exec compaction: the agent's way to tell the kernel side which execs it
 * has already judged, so that their repeats cost one short record instead
 * of a header, a path, one record per argument and an exit.
 *
 * The sensor script fingerprints every exec in the kernel (script.ts,
 * `fingerprint`: the file's identity, uid, stdio, path and argument area
 * under a secret seed) and looks the fingerprint up in a BPF map keyed by
 * cgroup. The agent fills that map while bpftrace runs — bpftrace 0.17 has
 * no way to update a map from user space — through a system call the
 * script listens for: a 40-byte pwrite64 on the agent's own descriptor of
 * /dev/null, whose buffer the probe reads at syscall entry. Only the
 * agent's process id and that descriptor are listened to; the write itself
 * goes to /dev/null.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { parseU64, type CompactionSpec } from './options.js';
import { COMPACT_MAGIC } from './script.js';

/** The agent's side of exec compaction (Sensor.compaction). */
export interface ExecCompaction {
  /**
   * Names the fingerprint `key` (ExecEvent.compactKey) of cgroup `cgroupId`
   * repeatable: its later execs arrive as `exec-repeat` events carrying `id`
   * (a positive safe integer). False when the request could not be made.
   */
  allow(cgroupId: string, key: string, id: number): boolean;
  /** Withdraws a fingerprint: its execs are reported in full again. */
  revoke(cgroupId: string, key: string): boolean;
}

/** Opens the request channel: the script's CompactionSpec, the channel, and close(). */
export function openCompaction(): { spec: CompactionSpec; channel: ExecCompaction; close(): void } {
  const fd = openSync('/dev/null', 'w');
  // A seed the workload cannot learn: fingerprints of different execs collide only by chance.
  const seed = (randomBytes(8).readBigUInt64LE() >> 1n).toString();
  const buf = Buffer.alloc(40);
  let open = true;
  const send = (op: bigint, cgroupId: string, key: string, id: number): boolean => {
    const cg = parseU64(cgroupId);
    const k = parseU64(key);
    if (!open || cg === undefined || k === undefined || k === 0n) return false;
    buf.writeBigUInt64LE(COMPACT_MAGIC, 0);
    buf.writeBigUInt64LE(op, 8);
    buf.writeBigUInt64LE(cg, 16);
    buf.writeBigUInt64LE(k, 24);
    buf.writeBigUInt64LE(BigInt(id), 32);
    try {
      return writeSync(fd, buf, 0, 40, 0) === 40;
    } catch {
      return false;
    }
  };
  return {
    spec: { pid: process.pid, fd, seed },
    channel: {
      allow: (cgroupId, key, id) => Number.isSafeInteger(id) && id > 0 && send(1n, cgroupId, key, id),
      revoke: (cgroupId, key) => send(2n, cgroupId, key, 0),
    },
    close: () => {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}
