/**
 * Generates the sensor's bpftrace program (bpftrace 0.17, tracepoints only:
 * it needs neither kprobes nor kfuncs).
 *
 * Output records (one printf each; see parse.ts for the decoder):
 *   <tag> <tid> <pid> <uid> <cgroup> <nsecs> <nextra> <tag fields…> <comm>
 *   + <tid> <string>                      (nextra continuation records)
 * Every field before the last is a space-free token; the last field runs to
 * the record's final newline, so user strings (comm, paths) need no escaping
 * and carry any byte but NUL. Strings beyond the header's one come as
 * continuation records from the same event, keyed by tag and thread id.
 */
import type { CompactionSpec, NormalizedOptions, SensorScriptOptions } from './options.js';
import { normalizeOptions } from './options.js';

/** Continuation tag and the header prefix shared by all records. */
export const HEADER_FMT = '%d %d %d %llu %llu';
export const HEADER_ARGS = 'tid, pid, uid, cgroup, nsecs';

/** Map names the scripts use; the parser ignores other maps. */
export const SYSCALL_MAPS = ['@mamori_sc0', '@mamori_sc1'] as const;

/** The O_WRONLY | O_RDWR | O_CREAT | O_TRUNC mask. */
export const OPEN_WRITE_MASK = 0x243;

export function probe(spec: string, filter: string, body: string, extra = ''): string {
  const preds = [filter, extra].filter((p) => p !== '');
  const pred = preds.length > 0 ? ` /${preds.map((p) => `(${p})`).join(' && ')}/` : '';
  return `${spec}${pred}\n{\n${body}\n}\n`;
}

/** printf of a header record: `fields` are (format, expression) pairs after nextra. */
export function header(
  tag: string,
  nextra: string,
  fields: readonly [string, string][],
  last = 'comm',
): string {
  const fmt = [tag, HEADER_FMT, '%d', ...fields.map((f) => f[0]), '%s'].join(' ');
  const args = [HEADER_ARGS, nextra, ...fields.map((f) => f[1]), last].join(', ');
  return `printf("${fmt}\\n", ${args});`;
}

/**
 * A continuation record: `+TAG tid string`. The tag names the header it
 * belongs to, so records of one thread read out of order from different
 * CPUs' buffers (a thread that migrated between an execve's argv and its
 * exec) still join the right event.
 */
export function cont(tag: string, expr: string): string {
  return `printf("+${tag} %d %s\\n", tid, ${expr});`;
}

function has(o: NormalizedOptions, tp: string): boolean {
  return o.tracepoints === undefined || o.tracepoints.has(tp);
}

function execProbes(o: NormalizedOptions): string {
  const n = o.maxArgs;
  // One exec is a header record, the path execve was given and one record
  // per argument, all printed at sched_process_exec by the exec'ing task
  // before the new program has run an instruction, so they leave in one
  // burst (one wake-up of bpftrace). Three probes: one program's 512-byte
  // BPF stack holds the header or one string, not more.
  //  - header: argc (the count field), parent, stdin/stdout as
  //    (i_mode << 32 | i_rdev), the executed file's identity (device, inode,
  //    ctime: ctime changes with any write and cannot be set from user
  //    space, so the agent can reuse a file's hash until it changes without
  //    a system call; the nanoseconds are masked because 6.13+ keeps a flag
  //    in their top bit), and the pid-namespace levels of the task and of its
  //    parent (equal when the parent runs in the same pid namespace).
  //    `args->` comes first because bpftrace 0.17 resolves struct file and
  //    inode from BTF only once the tracepoint's own struct has been seen.
  //  - argv from the new program's stack (argc at mm->start_stack, then the
  //    argv pointers, as the ELF loader laid them out): what
  //    /proc/PID/cmdline shows.
  const fdWord = (f: string): string => `(${f}->f_inode->i_mode << 32) | ${f}->f_inode->i_rdev`;
  const ct = o.inodeCtime;
  const c = o.compaction;
  // With compaction, an exec whose fingerprint the agent has named repeatable
  // is one short record instead (see compact.ts), and its path and argv
  // records are left out: @mamori_f marks the process for the later probes
  // and for its exit.
  const skip = c ? `${COMPACT_MARKS}[pid] == 0` : '';
  const fields = `${HEADER_ARGS}, *(uint64 *)uptr(curtask->mm->start_stack), curtask->real_parent->tgid, $w0, $w1, $x->i_sb->s_dev, $x->i_ino, $cs, $cn, $lv, $plv`;
  const full = `printf("E ${HEADER_FMT} %llu %d %llu %llu %llu %llu %llu %llu %d %d %llu %llu %s\\n", ${fields}, $k, $k0, comm);`;
  const body = c
    ? `${fingerprint(c)}
  $id = $k0 == 0 ? (uint64)0 : ${COMPACT_KEYS}[cgroup, $k0];
  if ($id == 0 && $k != 0) { $id = ${COMPACT_KEYS}[cgroup, $k]; }
  if ($id != 0) {
    ${COMPACT_MARKS}[pid] = 1;
    printf("F ${HEADER_FMT} 0 %d %llu %s\\n", ${HEADER_ARGS}, curtask->real_parent->tgid, $id, comm);
  } else {
    delete(${COMPACT_MARKS}[pid]);
    ${full}
  }`
    : `  $k = (uint64)0; $k0 = (uint64)0;
  ${full}`;
  const header = probe(
    'tracepoint:sched:sched_process_exec',
    o.filter,
    `  $fn = args->filename;
  $fd = curtask->files->fdt->fd;
  $f0 = *$fd; $f1 = *($fd + 1);
  $x = curtask->mm->exe_file->f_inode;
  $w0 = ${fdWord('$f0')}; $w1 = ${fdWord('$f1')};
  $cs = (uint64)${ct ? `$x->${ct.sec}` : '0'}; $cn = (uint64)${ct ? `$x->${ct.nsec} & 0x3fffffff` : '0'};
  $lv = curtask->thread_pid->level; $plv = curtask->real_parent->thread_pid->level;
${body}`,
  );
  const path = probe(
    'tracepoint:sched:sched_process_exec',
    o.filter,
    `  ${cont('E', 'str(args->filename)')}`,
    skip,
  );
  const argv = probe(
    'tracepoint:sched:sched_process_exec',
    o.filter,
    `  $sp = curtask->mm->start_stack;
  $argc = *(uint64 *)uptr($sp);
  $i = (uint64)0;
  while ($i < ${n}) {
    if ($i >= $argc) { break; }
    ${cont('E', `str(uptr(*(uint64 *)uptr($sp + 8 + 8 * $i)))`)}
    $i++;
  }`,
    skip,
  );
  // The request probe first: bpftrace 0.17 types a map at its first assignment in the script.
  return (c ? compactionProbe(c) : '') + header + path + argv;
}

/** Map of the fingerprints the agent named repeatable: (cgroup, fingerprint) → its id. */
export const COMPACT_KEYS = '@mamori_rp';
/** Processes whose last exec was compacted (their exits are not reported). */
export const COMPACT_MARKS = '@mamori_f';
/** First word of a compaction request ("mamori" and a version). */
export const COMPACT_MAGIC = 0x6d616d6f72690001n;
/** Longest argument area (bytes) and path (8-byte words) an exec may have to be compacted by its whole argv. */
export const COMPACT_MAX_ARGS = 512;
const COMPACT_PATH_WORDS = 32;

/**
 * The exec's fingerprints (0: none): seeded 64-bit mixes of the executed
 * file's identity (device, inode, ctime), the uid, stdin and stdout, and the
 * path execve was given, then `$k0` of argv[0] and `$k` of the whole
 * argument area (argv's strings as the new program sees them). Only for a
 * process whose parent is in the same cgroup and pid namespace (never a
 * container's init nor a process entering the container from outside),
 * with a known ctime and a path of at most 255 bytes; `$k` only for an
 * argument area of at most COMPACT_MAX_ARGS bytes, `$k0` for an argv[0]
 * that ends within it. Strings are read in 8-byte words; the bytes after
 * a string's NUL are masked off.
 */
function fingerprint(c: CompactionSpec): string {
  const mix = (h: string, w: string): string =>
    `${h} = (${h} ^ ${w}) * 0x5851f42d4c957f2d; ${h} = ${h} ^ (${h} >> 29);`;
  const mixH = (w: string): string => mix('$h', w);
  // The lowest zero byte of $w, if any, as the mask of the bytes before it.
  const firstZero = `$z = ($w - 0x0101010101010101) & ~$w & $m;`;
  const beforeZero = '((($z & (0 - $z)) >> 7) - 1)';
  return `  $k = (uint64)0;
  $k0 = (uint64)0;
  if ($lv == $plv && $cs != 0 && curtask->real_parent->cgroups->dfl_cgrp->kn->id == cgroup) {
    $h = (uint64)${c.seed};
    ${mixH('(uint64)$x->i_sb->s_dev')} ${mixH('(uint64)$x->i_ino')} ${mixH('$cs')} ${mixH('$cn')}
    ${mixH('(uint64)uid')} ${mixH('(uint64)$w0')} ${mixH('(uint64)$w1')}
    $m = (uint64)0x4040404040404040 * 2;
    $ended = (uint64)0;
    $i = (uint64)0;
    while ($i < ${COMPACT_PATH_WORDS}) {
      $w = *(uint64 *)((uint64)$fn + 8 * $i);
      ${firstZero}
      if ($z != 0) { $w = $w & ${beforeZero}; $ended = 1; }
      ${mixH('$w')}
      if ($ended) { break; }
      $i++;
    }
    if ($ended) {
      $as = curtask->mm->arg_start;
      $n = curtask->mm->arg_end - $as;
      $j = (uint64)0;
      while ($j < ${COMPACT_MAX_ARGS / 8}) {
        if ($j * 8 >= $n || ($k0 != 0 && $n > ${COMPACT_MAX_ARGS})) { break; }
        $w = *(uint64 *)uptr($as + 8 * $j);
        if ($n - $j * 8 < 8) { $w = $w & ((1 << (8 * ($n - $j * 8))) - 1); }
        if ($k0 == 0) {
          ${firstZero}
          if ($z != 0) {
            $h0 = $h;
            ${mix('$h0', `($w & ${beforeZero})`)}
            ${mix('$h0', '0x30')}
            $k0 = $h0 | 1;
          }
        }
        ${mixH('$w')}
        $j++;
      }
      if ($n <= ${COMPACT_MAX_ARGS}) {
        ${mixH('$n')}
        $k = $h | 1;
      }
    }
  }`;
}

/**
 * The agent's requests: a pwrite64 of 40 bytes (magic, op, cgroup,
 * fingerprint, id; little-endian u64) on its /dev/null descriptor. op 1
 * names a fingerprint repeatable, op 2 withdraws it. Only the agent's own
 * process is listened to.
 */
function compactionProbe(c: CompactionSpec): string {
  return probe(
    'tracepoint:syscalls:sys_enter_pwrite64',
    `pid == ${c.pid} && args->fd == ${c.fd}`,
    `  $b = (uint64)args->buf;
  if (args->count == 40 && *(uint64 *)uptr($b) == ${COMPACT_MAGIC}) {
    $op = *(uint64 *)uptr($b + 8);
    $cg = *(uint64 *)uptr($b + 16);
    $key = *(uint64 *)uptr($b + 24);
    if ($op == 1) { ${COMPACT_KEYS}[$cg, $key] = *(uint64 *)uptr($b + 32); }
    if ($op == 2) { delete(${COMPACT_KEYS}[$cg, $key]); }
  }`,
  );
}

function exitProbe(o: NormalizedOptions): string {
  const x = header('X', '0', [['%d', 'curtask->exit_code']]);
  return probe(
    'tracepoint:sched:sched_process_exit',
    o.filter,
    o.compaction && o.families.has('exec')
      ? `  if (${COMPACT_MARKS}[pid] != 0) { delete(${COMPACT_MARKS}[pid]); } else { ${x} }`
      : `  ${x}`,
    'pid == tid',
  );
}

/** Socket of fd `fdExpr` in the current task → `$sk`. */
export function sockOf(fdExpr: string): string {
  return `$file = *(curtask->files->fdt->fd + ${fdExpr});
  $sk = ((struct socket *)$file->private_data)->sk;`;
}

/** Records a user sockaddr (`addrExpr`) with tag; `only` restricts to a protocol expression. */
export function sockaddrRecords(tag: string, addrExpr: string, withUnix: boolean): string {
  const f = (fam: string, port: string, addr: string): [string, string][] => [
    ['%d', fam],
    ['%d', port],
    ['%d', '$sk->sk_protocol'],
    ['%d', '$sk->sk_type'],
    ['%d', '0'],
    ['%s', addr],
  ];
  const unix = withUnix
    ? `
  if ($fam == 1) {
    $su = (struct sockaddr_un *)${addrExpr};
    $abs = *((uint8 *)${addrExpr} + 2) == 0 ? 1 : 0;
    ${header(tag, '1', f('1', '$abs', '"-"'))}
    if ($abs) { ${cont(tag, `str((uint8 *)${addrExpr} + 3)`)} } else { ${cont(tag, '$su->sun_path')} }
  }`
    : '';
  return `  $fam = ((struct sockaddr *)${addrExpr})->sa_family;
  if ($fam == 2) {
    $s4 = (struct sockaddr_in *)${addrExpr};
    ${header(tag, '0', f('2', '$s4->sin_port', 'ntop(2, $s4->sin_addr.s_addr)'))}
  }
  if ($fam == 10) {
    $s6 = (struct sockaddr_in6 *)${addrExpr};
    ${header(tag, '0', f('10', '$s6->sin6_port', 'ntop(10, $s6->sin6_addr.in6_u.u6_addr8)'))}
  }${unix}`;
}

function networkProbes(o: NormalizedOptions): string {
  const connect = probe(
    'tracepoint:syscalls:sys_enter_connect',
    o.filter,
    `  ${sockOf('args->fd')}\n${sockaddrRecords('C', 'args->uservaddr', true)}`,
  );
  const sendto = probe(
    'tracepoint:syscalls:sys_enter_sendto',
    o.filter,
    `  ${sockOf('args->fd')}\n  if ($sk->sk_protocol == 17) {\n${sockaddrRecords('S', 'args->addr', false)}\n  }`,
    'args->addr != 0',
  );
  const sendmsg = probe(
    'tracepoint:syscalls:sys_enter_sendmsg',
    o.filter,
    `  $name = ((struct user_msghdr *)args->msg)->msg_name;
  if ($name != 0) {
  ${sockOf('args->fd')}\n  if ($sk->sk_protocol == 17) {\n${sockaddrRecords('S', '$name', false)}\n  }
  }`,
  );
  const accept = (tp: string): string =>
    probe(
      `tracepoint:syscalls:${tp}`,
      o.filter,
      `  ${sockOf('args->ret')}
  $c = $sk->__sk_common;
  $fam = $c.skc_family;
  if ($fam == 2) {
    ${header('A', '0', [
      ['%d', '$fam'],
      ['%d', '$c.skc_dport'],
      ['%d', '$sk->sk_protocol'],
      ['%d', '$sk->sk_type'],
      ['%d', '$c.skc_num'],
      ['%s', 'ntop(2, $c.skc_daddr)'],
    ])}
  }
  if ($fam == 10) {
    ${header('A', '0', [
      ['%d', '$fam'],
      ['%d', '$c.skc_dport'],
      ['%d', '$sk->sk_protocol'],
      ['%d', '$sk->sk_type'],
      ['%d', '$c.skc_num'],
      ['%s', 'ntop(10, $c.skc_v6_daddr.in6_u.u6_addr8)'],
    ])}
  }
  if ($fam == 1) {
    ${header('A', '0', [
      ['%d', '$fam'],
      ['%d', '0'],
      ['%d', '$sk->sk_protocol'],
      ['%d', '$sk->sk_type'],
      ['%d', '0'],
      ['%s', '"-"'],
    ])}
  }`,
      'args->ret >= 0',
    );
  return connect + sendto + sendmsg + accept('sys_exit_accept') + accept('sys_exit_accept4');
}

/**
 * Prefix tests without string literals (each literal costs STRLEN bytes of
 * the 512-byte BPF stack in bpftrace 0.17): the path's leading bytes are read
 * as little-endian integers of 8, 4, 2 and 1 bytes and compared with
 * constants. Every read lies inside the prefix, so a matching path never
 * faults, whatever page it ends on.
 */
export function prefixTests(ptr: string, prefixes: readonly string[]): { reads: string; cond: string } {
  const vars = new Map<string, string>();
  const conds: string[] = [];
  for (const p of prefixes) {
    const b = Buffer.from(p, 'latin1');
    const parts: string[] = [];
    let off = 0;
    for (const size of [8, 4, 2, 1]) {
      while (b.length - off >= size) {
        const key = `${off}_${size}`;
        const v = `$r${key}`;
        if (!vars.has(key)) vars.set(key, `${v} = *(uint${size * 8} *)((uint8 *)${ptr} + ${off});`);
        const n = size === 8 ? b.readBigUInt64LE(off) : BigInt(b.readUIntLE(off, size));
        parts.push(`${v} == ${n}`);
        off += size;
      }
    }
    conds.push(`(${parts.join(' && ')})`);
  }
  return { reads: [...vars.values()].join('\n  '), cond: conds.join(' || ') };
}

function openProbes(o: NormalizedOptions): string {
  const t = prefixTests('args->filename', o.sensitivePaths);
  const cond = `($fl & ${OPEN_WRITE_MASK}) != 0${t.cond === '' ? '' : ` || ${t.cond}`}`;
  const body = (flags: string): string => `  $fl = ${flags};
  ${t.reads}
  if (${cond}) {
    ${header('O', '1', [['%llu', '$fl']], 'str(args->filename)')}
    ${cont('O', 'comm')}
  }`;
  return [
    probe('tracepoint:syscalls:sys_enter_openat', o.filter, body('args->flags')),
    has(o, 'syscalls:sys_enter_open')
      ? probe('tracepoint:syscalls:sys_enter_open', o.filter, body('args->flags'))
      : '',
    has(o, 'syscalls:sys_enter_openat2')
      ? probe(
          'tracepoint:syscalls:sys_enter_openat2',
          o.filter,
          body('((struct open_how *)args->how)->flags'),
        )
      : '',
  ].join('');
}

/** x86_64 numbers of the notable syscalls and the two numeric arguments each reports. */
const NOTABLE: readonly { tp: string; nr: number; a1: string; a2: string; strings: readonly string[] }[] = [
  { tp: 'ptrace', nr: 101, a1: 'args->request', a2: 'args->pid', strings: [] },
  {
    tp: 'mount',
    nr: 165,
    a1: 'args->flags',
    a2: '0',
    strings: ['args->dev_name', 'args->dir_name', 'args->type'],
  },
  { tp: 'umount', nr: 166, a1: 'args->flags', a2: '0', strings: ['args->name'] },
  { tp: 'unshare', nr: 272, a1: 'args->unshare_flags', a2: '0', strings: [] },
  { tp: 'setns', nr: 308, a1: 'args->fd', a2: 'args->flags', strings: [] },
  { tp: 'init_module', nr: 175, a1: 'args->len', a2: '0', strings: [] },
  { tp: 'finit_module', nr: 313, a1: 'args->fd', a2: 'args->flags', strings: [] },
  { tp: 'bpf', nr: 321, a1: 'args->cmd', a2: '0', strings: [] },
  { tp: 'keyctl', nr: 250, a1: 'args->option', a2: 'args->arg2', strings: [] },
];

function notableProbes(o: NormalizedOptions): string {
  return NOTABLE.filter((s) => has(o, `syscalls:sys_enter_${s.tp}`))
    .map((s) =>
      probe(
        `tracepoint:syscalls:sys_enter_${s.tp}`,
        o.filter,
        `  ${header('N', String(s.strings.length), [
          ['%d', String(s.nr)],
          ['%llu', `(uint64)${s.a1}`],
          ['%llu', `(uint64)${s.a2}`],
        ])}\n${s.strings.map((e) => `  ${cont('N', `str(${e})`)}`).join('\n')}`,
      ),
    )
    .join('');
}

/** Leaves runc's setup tasks out of the syscall sets (by their comm, `runc:[…]`). */
export const RUNC_SETUP_EXCLUDED = 'strncmp(comm, "runc:[", 6) != 0';

function syscallProbes(o: NormalizedOptions): string {
  const ns = BigInt(o.syscallIntervalMs) * 1000000n;
  const [m0, m1] = SYSCALL_MAPS;
  return (
    probe(
      'tracepoint:raw_syscalls:sys_enter',
      o.filter,
      `  if ((nsecs / ${ns}) % 2 == 0) { ${m0}[cgroup, args->id] = 1; } else { ${m1}[cgroup, args->id] = 1; }`,
      // runc moves its own setup tasks (runc:[0:PARENT], [1:CHILD], [2:INIT]) into the
      // container's cgroup before the workload starts: their unshare, mount, pivot_root, …
      // are the runtime's, not the workload's, and must not be learned into its profile.
      RUNC_SETUP_EXCLUDED,
    ) +
    probe(
      `interval:ms:${o.syscallIntervalMs}`,
      '',
      `  if ((nsecs / ${ns}) % 2 == 0) { print(${m1}); clear(${m1}); } else { print(${m0}); clear(${m0}); }`,
    )
  );
}

/** Generates the sensor program for bpftrace 0.17 (`bpftrace -f json -e <script>`). */
export function generateSensorScript(options: SensorScriptOptions = {}): string {
  const o = normalizeOptions(options);
  const parts: string[] = [`// mamori sensor (generated)\n`];
  const end: string[] = [];
  if (o.families.has('exec')) {
    parts.push(execProbes(o));
  }
  if (o.families.has('exit')) parts.push(exitProbe(o));
  if (o.families.has('network')) parts.push(networkProbes(o));
  if (o.families.has('open')) parts.push(openProbes(o));
  if (o.families.has('notable')) parts.push(notableProbes(o));
  if (o.families.has('syscalls')) {
    parts.push(syscallProbes(o));
    for (const m of SYSCALL_MAPS) end.push(`print(${m});`, `clear(${m});`);
  }
  if (o.compaction && o.families.has('exec')) end.push(`clear(${COMPACT_KEYS});`, `clear(${COMPACT_MARKS});`);
  if (end.length > 0) parts.push(`END\n{\n  ${end.join('\n  ')}\n}\n`);
  return parts.join('\n');
}
