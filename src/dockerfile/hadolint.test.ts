/**
 * Agreement with hadolint: for every hadolint finding on the corpus whose DL
 * id maps to a mamori rule, mamori reports (or a comment suppresses) that rule
 * in the same instruction. hadolint reports an instruction's first line;
 * mamori points at the offending command inside it, so the comparison is per
 * instruction. Skipped when hadolint is not installed (Debian bookworm does not
 * package it).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { dockerfileRules, lintDockerfile, parseDockerfile } from './index.js';
import type { DockerfileModel } from './index.js';
import { dockerfiles, testdata } from './testing.js';

const run = promisify(execFile);

interface HadolintFinding {
  readonly code: string;
  readonly line: number;
}

async function hadolintVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await run('hadolint', ['--version']);
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/** Where mamori deliberately says less than hadolint; each case is a documented design decision. */
function deliberate(code: string, line: number, model: DockerfileModel): string | undefined {
  const ins = model.instructions.find((i) => i.range.startLine <= line && line <= i.range.endLine);
  const final = model.stages.length - 1;
  const chain = new Set<number>();
  for (
    let s = model.stages[final];
    s !== undefined;
    s = s.baseStage === undefined ? undefined : model.stages[s.baseStage]
  ) {
    if (chain.has(s.index)) break;
    chain.add(s.index);
  }
  const stage = ins?.stage ?? -1;
  if (['DL3019', 'DL3042', 'DL3040', 'DL3032'].includes(code) && !chain.has(stage)) {
    return 'cache rules only look at stages whose files reach the final image';
  }
  if ((code === 'DL3002' || code === 'DL3057') && stage !== final)
    return 'user and health check are judged on the final stage';
  if (code === 'DL3025' && ins?.keyword === 'HEALTHCHECK')
    return 'a shell-form HEALTHCHECK does not run as PID 1';
  const text = [ins?.argsText.text ?? '', ...(ins?.heredocs ?? []).map((h) => h.content.text)].join('\n');
  if (['DL3019', 'DL3032', 'DL3040'].includes(code) && /\brm\s+-\w*r\w*\s+[^;&|]*\/var\/cache\//.test(text)) {
    return 'removing the cache directory with rm counts as cleaning it';
  }
  const interpreter = /^\s*\d*<<-?\S+\s+(\S+)/.exec(ins?.argsText.text ?? '')?.[1];
  if (interpreter !== undefined && !/^(sh|bash|dash|ash|zsh)$/.test(interpreter.replace(/^.*\//, ''))) {
    return 'a heredoc for a non-shell interpreter holds no shell commands';
  }
  return undefined;
}

test('mamori reports every mapped hadolint finding on the corpus', async (t) => {
  const version = await hadolintVersion();
  if (version === undefined) {
    t.skip(
      'hadolint is not installed: Debian bookworm has no hadolint package (apt-cache policy hadolint), so this comparison runs only where it is on PATH',
    );
    return;
  }
  t.diagnostic(`hadolint ${version}`);
  const toMamori = new Map<string, string>();
  for (const r of dockerfileRules) for (const dl of r.hadolint) toMamori.set(dl, r.id);
  let compared = 0;
  for (const dir of ['corpus', 'rules'] as const) {
    for (const [name, text] of dockerfiles(dir)) {
      const file = fileURLToPath(new URL(`${dir}/${name}`, testdata));
      const { stdout } = await run('hadolint', ['--no-fail', '--format', 'json', file], {
        maxBuffer: 16 * 1024 * 1024,
      });
      const theirs = JSON.parse(stdout) as HadolintFinding[];
      const model = parseDockerfile(text);
      const ours = lintDockerfile(text);
      const all = [...ours.findings, ...ours.suppressed.map((s) => s.finding)];
      for (const h of theirs) {
        const rule = toMamori.get(h.code);
        if (rule === undefined || deliberate(h.code, h.line, model) !== undefined) continue;
        const ins = model.instructions.find((i) => i.range.startLine <= h.line && h.line <= i.range.endLine);
        assert.ok(ins, `${dir}/${name}:${h.line}: hadolint ${h.code} is on no instruction`);
        const hit = all.some(
          (f) =>
            f.ruleId === rule &&
            (f.location.startLine ?? 0) >= ins.range.startLine &&
            (f.location.startLine ?? 0) <= ins.range.endLine,
        );
        assert.ok(
          hit,
          `${dir}/${name}:${h.line}: hadolint ${h.code} but no ${rule} in lines ${ins.range.startLine}-${ins.range.endLine}`,
        );
        compared++;
      }
    }
  }
  t.diagnostic(`${compared} hadolint findings matched`);
});
