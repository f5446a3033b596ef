/** Rules about single instructions: ADD, EXPOSE, CMD/ENTRYPOINT, WORKDIR, MAINTAINER, COPY --from. */
import { isWindowsImage } from '../context.js';
import type { DockerfileRule, RuleHit } from '../context.js';
import type { Instruction, Stage, Word } from '../model.js';
import { parseHeredocWord, rawWords } from '../scan.js';

const HADOLINT = 'https://github.com/hadolint/hadolint/wiki/';
const REF = 'https://docs.docker.com/reference/dockerfile/';

function isUrl(src: string): boolean {
  return /^(https?|ftp):\/\//i.test(src) || src.startsWith('git@');
}

/** Source words of ADD/COPY: every argument but the destination, heredoc words left out. */
function sources(ins: Instruction): { values: string[]; heredocs: number; range: Word['range'] } {
  const words = ins.exec ?? ins.args.map((a) => a.value);
  const srcs = words.slice(0, -1);
  const values = srcs.filter((s) => parseHeredocWord(s) === undefined);
  return { values, heredocs: srcs.length - values.length, range: ins.args[0]?.range ?? ins.range };
}

const addUrl: DockerfileRule = {
  id: 'MD017',
  title: 'ADD of a remote URL',
  severity: 'MEDIUM',
  rationale:
    'ADD downloads without verifying what it got, so a changed or tampered file goes straight into the image.',
  fix: 'Use `ADD --checksum=sha256:<digest> <url> <dest>`, or download with curl and check the hash in a RUN.',
  references: [`${REF}#add---checksum`, 'https://docs.docker.com/build/building/best-practices/#add-or-copy'],
  hadolint: [],
  *check(ctx) {
    for (const ins of ctx.model.instructions) {
      if (ins.keyword !== 'ADD' || ins.flags.some((f) => f.name === 'checksum')) continue;
      const urls = sources(ins).values.filter(isUrl);
      if (urls.length === 0) continue;
      const word = ins.args.find((a) => isUrl(a.value));
      yield {
        instruction: ins,
        range: word?.range ?? ins.range,
        evidence: `ADD ${urls.join(' ')} is downloaded without a checksum`,
      };
    }
  },
};

const TAR = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst|tar\.lz|gz|bz2|xz|zst|lz|lzma)$/i;

const addForCopy: DockerfileRule = {
  id: 'MD018',
  title: 'ADD where COPY would do',
  severity: 'LOW',
  rationale:
    'ADD also fetches URLs and unpacks archives; for plain local files that magic only hides what the instruction does.',
  fix: 'Use COPY for local files and directories; keep ADD for archives that should be unpacked.',
  references: ['https://docs.docker.com/build/building/best-practices/#add-or-copy', `${HADOLINT}DL3020`],
  hadolint: ['DL3020'],
  *check(ctx) {
    for (const ins of ctx.model.instructions) {
      if (ins.keyword !== 'ADD') continue;
      const src = sources(ins);
      if (src.values.length + src.heredocs === 0) continue;
      if (src.values.some((s) => isUrl(s) || TAR.test(s) || s.includes('$'))) continue;
      const shown = [...src.values, ...(src.heredocs > 0 ? ['a heredoc'] : [])].join(', ');
      yield {
        instruction: ins,
        range: ins.range,
        evidence: `ADD of ${shown}: not an archive or URL`,
        fix: 'Replace ADD with COPY.',
      };
    }
  },
};

function portRangeHas(spec: string, port: number): boolean {
  const [ports = '', proto = 'tcp'] = spec.toLowerCase().split('/');
  if (proto !== 'tcp') return false;
  const [lo, hi = lo] = ports.split('-');
  const a = Number(lo);
  const b = Number(hi);
  return Number.isInteger(a) && Number.isInteger(b) && a <= port && port <= b;
}

const exposeSsh: DockerfileRule = {
  id: 'MD023',
  title: 'SSH port 22 exposed',
  severity: 'MEDIUM',
  rationale:
    'An SSH server in a container is another long-lived credentialed entry point; `docker exec` / `kubectl exec` already give shell access.',
  fix: 'Remove the SSH server and `EXPOSE 22`; use `docker exec` or `kubectl exec` for debugging.',
  references: ['https://docs.docker.com/reference/dockerfile/#expose'],
  hadolint: [],
  *check(ctx) {
    for (const ins of ctx.model.instructions) {
      if (ins.keyword !== 'EXPOSE') continue;
      const arg = ins.args.find((a) => portRangeHas(a.value, 22));
      if (arg !== undefined)
        yield { instruction: ins, range: arg.range, evidence: `EXPOSE ${arg.value} publishes SSH` };
    }
  },
};

/** An exec-form rewrite of a simple shell-form command, when it has no shell syntax. */
function execForm(text: string): string | undefined {
  const t = text.trim();
  if (t === '' || t.length > 400 || /[|&;<>$`*?(){}\\'"~]/.test(t)) return undefined;
  return `[${rawWords(t)
    .map((w) => JSON.stringify(w.raw))
    .join(', ')}]`;
}

const shellForm: DockerfileRule = {
  id: 'MD025',
  title: 'CMD or ENTRYPOINT in shell form',
  severity: 'LOW',
  rationale:
    'In shell form `/bin/sh -c` is PID 1: it does not pass SIGTERM on, so the app is killed after the stop timeout instead of shutting down cleanly.',
  fix: 'Use the exec (JSON) form, e.g. `CMD ["node", "server.js"]`, or `exec` the program from a script.',
  references: [`${REF}#shell-and-exec-form`, `${HADOLINT}DL3025`],
  hadolint: ['DL3025'],
  *check(ctx) {
    for (const stage of ctx.model.stages) {
      let shell = isWindowsImage(ctx.roots[stage.index] ?? stage) ? 'cmd /S /C' : '/bin/sh -c';
      for (const ins of stage.instructions) {
        if (ins.keyword === 'SHELL' && ins.exec !== undefined) shell = ins.exec.join(' ').slice(0, 60);
        if ((ins.keyword !== 'CMD' && ins.keyword !== 'ENTRYPOINT') || ins.exec !== undefined) continue;
        const text = ins.argsText.text.trim();
        if (text === '') continue;
        const exec = execForm(text);
        yield {
          instruction: ins,
          range: ins.range,
          evidence: `${ins.keyword} ${text.length > 120 ? `${text.slice(0, 119)}…` : text} runs under ${shell}`,
          ...(exec !== undefined ? { fix: `Write it as ${ins.keyword} ${exec}.` } : {}),
        };
      }
    }
  },
};

const relativeWorkdir: DockerfileRule = {
  id: 'MD026',
  title: 'Relative WORKDIR',
  severity: 'LOW',
  rationale:
    "A relative WORKDIR resolves against the base image's or the previous working directory, which can change without notice.",
  fix: 'Use an absolute path, e.g. `WORKDIR /app`.',
  references: [`${REF}#workdir`, `${HADOLINT}DL3000`],
  hadolint: ['DL3000'],
  *check(ctx) {
    for (const ins of ctx.model.instructions) {
      if (ins.keyword !== 'WORKDIR') continue;
      const raw = ins.args[0];
      if (raw === undefined) continue;
      const p = raw.value.replace(/^["']|["']$/g, '');
      if (p.startsWith('/') || p.startsWith('$') || /^[A-Za-z]:[\\/]/.test(p)) continue;
      yield {
        instruction: ins,
        range: raw.range,
        evidence: `WORKDIR ${raw.value} is relative`,
        fix: `Use WORKDIR /${p}, or the absolute path meant.`,
      };
    }
  },
};

const maintainer: DockerfileRule = {
  id: 'MD029',
  title: 'Deprecated MAINTAINER',
  severity: 'LOW',
  rationale: 'MAINTAINER is deprecated and not shown by the standard OCI label tooling.',
  fix: 'Use `LABEL org.opencontainers.image.authors="name <email>"`.',
  references: [`${REF}#maintainer-deprecated`, `${HADOLINT}DL4000`],
  hadolint: ['DL4000'],
  *check(ctx) {
    for (const ins of ctx.model.instructions) {
      if (ins.keyword !== 'MAINTAINER') continue;
      const who = ins.argsText.text.trim();
      yield {
        instruction: ins,
        range: ins.range,
        evidence: `MAINTAINER ${who}`,
        fix: `Replace it with LABEL org.opencontainers.image.authors=${JSON.stringify(who.slice(0, 200))}.`,
      };
    }
  },
};

const multipleCmd: DockerfileRule = {
  id: 'MD030',
  title: 'More than one CMD or ENTRYPOINT in a stage',
  severity: 'LOW',
  rationale:
    'Only the last CMD and the last ENTRYPOINT of a stage take effect; earlier ones are dead code that misleads readers.',
  fix: 'Keep one CMD and at most one ENTRYPOINT per stage.',
  references: [`${REF}#cmd`, `${HADOLINT}DL4003`, `${HADOLINT}DL4004`],
  hadolint: ['DL4003', 'DL4004'],
  *check(ctx): Generator<RuleHit> {
    for (const stage of ctx.model.stages) {
      for (const kw of ['CMD', 'ENTRYPOINT']) {
        const all = stage.instructions.filter((i) => i.keyword === kw);
        for (let k = 1; k < all.length; k++) {
          const ins = all[k] as Instruction;
          const prev = all[k - 1] as Instruction;
          yield {
            instruction: ins,
            range: ins.range,
            evidence: `${kw} overrides the ${kw} on line ${prev.range.startLine} of the same stage`,
          };
        }
      }
    }
  },
};

function fromReferences(ins: Instruction): { value: string; range: Word['range'] }[] {
  const out: { value: string; range: Word['range'] }[] = [];
  for (const f of ins.flags) {
    if (f.value === null) continue;
    if (f.name === 'from' && (ins.keyword === 'COPY' || ins.keyword === 'ADD'))
      out.push({ value: f.value, range: f.range });
    if (f.name === 'mount' && ins.keyword === 'RUN') {
      const from = f.value.split(',').find((p) => p.trim().toLowerCase().startsWith('from='));
      if (from !== undefined) out.push({ value: from.trim().slice(5), range: f.range });
    }
  }
  return out;
}

function unknownStage(stages: ReadonlyMap<string, Stage>, here: number, value: string): string | undefined {
  const v = value.toLowerCase();
  if (v.includes(':') || v.includes('@') || v.includes('$')) return undefined;
  if (/^[0-9]{1,6}$/.test(v)) {
    const n = Number(v);
    if (n < here) return undefined;
    return n === here
      ? `stage ${n} is the stage this instruction is in`
      : `there is no stage ${n} before this one`;
  }
  const target = stages.get(v);
  if (target === undefined)
    return `no stage is named ${value}, so the image ${value}:latest is pulled instead`;
  if (target.index === here) return `${value} is the stage this instruction is in`;
  if (target.index > here) return `stage ${value} is defined later, on line ${target.from.range.startLine}`;
  return undefined;
}

const copyFromUnknown: DockerfileRule = {
  id: 'MD031',
  title: 'COPY --from refers to an unknown stage',
  severity: 'MEDIUM',
  rationale:
    'A --from name that is not an earlier stage is read as an image to pull: a typo silently copies files from whatever image has that name.',
  fix: 'Name an earlier stage (`FROM … AS build`, then `COPY --from=build`), or a fully tagged image (`--from=alpine:3.20`).',
  references: [`${REF}#copy---from`, `${HADOLINT}DL3022`],
  hadolint: ['DL3022'],
  *check(ctx) {
    const byName = new Map<string, Stage>();
    for (const s of ctx.model.stages) if (s.name !== undefined && !byName.has(s.name)) byName.set(s.name, s);
    for (const ins of ctx.model.instructions) {
      if (ins.stage < 0) continue;
      for (const ref of fromReferences(ins)) {
        const why = unknownStage(byName, ins.stage, ref.value);
        if (why !== undefined)
          yield { instruction: ins, range: ref.range, evidence: `--from=${ref.value}: ${why}` };
      }
    }
  },
};

export const instructionRules: readonly DockerfileRule[] = [
  addUrl,
  addForCopy,
  exposeSsh,
  shellForm,
  relativeWorkdir,
  maintainer,
  multipleCmd,
  copyFromUnknown,
];
