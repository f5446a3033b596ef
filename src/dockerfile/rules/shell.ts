/** Rules about what RUN commands do: piping downloads into a shell, sudo, world-writable modes, cd. */
import { SHELLS, parseArgs } from '../commands.js';
import type { CommandView } from '../commands.js';
import type { DockerfileRule, RuleHit } from '../context.js';

const HADOLINT = 'https://github.com/hadolint/hadolint/wiki/';
const FETCHERS = new Set(['curl', 'wget', 'fetch']);
const INTERPRETERS = new Set([
  ...SHELLS,
  'python',
  'python3',
  'perl',
  'ruby',
  'node',
  'php',
  'eval',
  'source',
  '.',
]);

function isInterpreter(name: string): boolean {
  return INTERPRETERS.has(name) || /^python[0-9.]{1,6}$/.test(name);
}

/** The interpreter reads its program from standard input (no script file argument). */
function readsStdin(v: CommandView): boolean {
  return v.args.every((a) => a.text.startsWith('-')) || v.args.some((a) => a.text === '-s' || a.text === '-');
}

function fetchedInline(v: CommandView): boolean {
  return v.args.some((a) => /(\$\(|`|<\()\s{0,8}(curl|wget)\b/.test(a.text.slice(0, 4096)));
}

const pipeToShell: DockerfileRule = {
  id: 'MD016',
  title: 'Remote script piped into a shell',
  severity: 'HIGH',
  rationale:
    'The downloaded script runs unseen and unverified: whoever controls the URL, or the network path to it, controls the build.',
  fix: 'Download to a file, verify its checksum or signature (`sha256sum -c`), then run it; better, install a pinned package.',
  references: ['https://docs.docker.com/build/building/best-practices/#using-pipes'],
  hadolint: [],
  *check(ctx) {
    for (const run of ctx.runs) {
      const fetchers = new Map<string, CommandView>();
      for (const u of run.commands) {
        const key = `${u.script}:${u.command.pipeline}`;
        if (FETCHERS.has(u.name) && !fetchers.has(key)) fetchers.set(key, u);
      }
      for (const v of run.commands) {
        if (!isInterpreter(v.name)) continue;
        if (fetchedInline(v)) {
          yield {
            instruction: run.instruction,
            range: v.range,
            evidence: `${v.text}: runs a script fetched by command substitution`,
          };
          continue;
        }
        if (v.command.pipeIndex === 0 || !readsStdin(v)) continue;
        const fetch = fetchers.get(`${v.script}:${v.command.pipeline}`);
        if (fetch === undefined || fetch.command.pipeIndex >= v.command.pipeIndex) continue;
        yield {
          instruction: run.instruction,
          range: { ...fetch.range, endLine: v.range.endLine, endColumn: v.range.endColumn },
          evidence: `${fetch.text} | ${v.text}: ${v.name}${v.wrappers.includes('sudo') ? ' (as root, through sudo)' : ''} executes the download unverified`,
        };
      }
    }
  },
};

const sudo: DockerfileRule = {
  id: 'MD019',
  title: 'sudo in RUN',
  severity: 'MEDIUM',
  rationale:
    'RUN already executes as the current USER; sudo adds a setuid binary to the image and has TTY and signal quirks in builds.',
  fix: 'Switch with `USER root` for the privileged steps and back to the unprivileged user afterwards; use gosu or su-exec at run time.',
  references: [`${HADOLINT}DL3004`],
  hadolint: ['DL3004'],
  *check(ctx) {
    for (const run of ctx.runs) {
      for (const v of run.commands) {
        if (!v.wrappers.includes('sudo') && v.name !== 'sudo') continue;
        yield { instruction: run.instruction, range: v.range, evidence: `${v.text}: uses sudo` };
      }
    }
  },
};

/** Whether a chmod mode makes files writable by everyone (the sticky-bit `1777` of shared temp dirs excepted). */
export function worldWritable(mode: string): boolean {
  if (/^[0-7]{1,4}$/.test(mode)) {
    const digits = mode.padStart(4, '0');
    const others = Number(digits[3]);
    const special = Number(digits[0]);
    return (others & 2) !== 0 && (special & 1) === 0;
  }
  return mode.split(',').some((clause) => {
    const m = /^([ugoa]*)([-+=])([rwxXst]*)$/.exec(clause);
    if (m === null) return false;
    const who = m[1] ?? '';
    return m[2] !== '-' && (m[3] ?? '').includes('w') && (who.includes('o') || who.includes('a'));
  });
}

const CHMOD_VALUED = new Set(['reference']);

const chmodWorld: DockerfileRule = {
  id: 'MD022',
  title: 'World-writable permissions (chmod 777)',
  severity: 'MEDIUM',
  rationale:
    'Files any user can write let a compromised unprivileged process replace binaries, configuration or data it should only read.',
  fix: 'Grant only what is needed: own the files by the app user (`COPY --chown`, `chown`) and use modes such as 755 / 644.',
  references: ['https://docs.docker.com/reference/dockerfile/#copy---chmod'],
  hadolint: [],
  *check(ctx): Generator<RuleHit> {
    for (const run of ctx.runs) {
      for (const v of run.commands) {
        if (v.name !== 'chmod') continue;
        const mode = parseArgs(v.args, CHMOD_VALUED).positionals[0]?.text;
        if (mode !== undefined && worldWritable(mode)) {
          yield {
            instruction: run.instruction,
            range: v.range,
            evidence: `${v.text}: mode ${mode} lets every user write`,
          };
        }
      }
    }
    for (const ins of ctx.model.instructions) {
      const flag = ins.flags.find((f) => f.name === 'chmod');
      if (
        (ins.keyword === 'COPY' || ins.keyword === 'ADD') &&
        flag?.value != null &&
        worldWritable(flag.value)
      ) {
        yield {
          instruction: ins,
          range: flag.range,
          evidence: `${ins.keyword} --chmod=${flag.value} lets every user write`,
        };
      }
    }
  },
};

const cdInRun: DockerfileRule = {
  id: 'MD028',
  title: 'cd in RUN instead of WORKDIR',
  severity: 'LOW',
  rationale:
    'A `cd` lasts for one RUN only; later instructions silently run elsewhere, which makes the Dockerfile hard to follow.',
  fix: 'Set the directory with `WORKDIR /path` before the commands that need it.',
  references: ['https://docs.docker.com/build/building/best-practices/#workdir', `${HADOLINT}DL3003`],
  hadolint: ['DL3003'],
  *check(ctx) {
    for (const run of ctx.runs) {
      const cds = run.commands.filter((v) => v.name === 'cd');
      const first = cds[0];
      if (first === undefined) continue;
      const more = cds.length > 1 ? ` (and ${cds.length - 1} more cd)` : '';
      yield { instruction: run.instruction, range: first.range, evidence: `${first.text}${more}` };
    }
  },
};

export const shellRules: readonly DockerfileRule[] = [pipeToShell, sudo, chmodWorld, cdInRun];
