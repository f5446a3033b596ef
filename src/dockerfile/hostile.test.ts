/**
 * Hostile input: size limits, pathological 1 MiB lines and many-instruction
 * files (every scanner is hand-written and linear, so these finish; a
 * backtracking regular expression would not), and random input that must never
 * throw anything but a MamoriError.
 */
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { isMamoriError } from '../core/errors.js';
import { lintDockerfile, lintDockerfileFile, MAX_DOCKERFILE_BYTES } from './index.js';

const MiB = 1024 * 1024;

test('input over 4 MiB is refused with a MamoriError; maxBytes lowers the limit', () => {
  assert.equal(MAX_DOCKERFILE_BYTES, 4 * MiB);
  const big = 'FROM a\n' + '#'.repeat(4 * MiB);
  assert.throws(
    () => lintDockerfile(big),
    (e: unknown) => isMamoriError(e, 'LIMIT_EXCEEDED'),
  );
  const multibyte = 'FROM a\n# ' + 'é'.repeat(2 * MiB + 10);
  assert.throws(
    () => lintDockerfile(multibyte),
    (e: unknown) => isMamoriError(e, 'LIMIT_EXCEEDED'),
    'bytes, not characters',
  );
  assert.throws(
    () => lintDockerfile('FROM alpine:3.20\n', { maxBytes: 8 }),
    (e: unknown) => isMamoriError(e, 'LIMIT_EXCEEDED'),
  );
  assert.throws(
    () => lintDockerfile('FROM a\n', { maxBytes: -1 }),
    (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT'),
  );
  assert.throws(
    () => lintDockerfile(42 as unknown as string),
    (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT'),
  );
});

test('lintDockerfileFile refuses large files before reading them and reads normal ones', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-dockerfile-'));
  try {
    const big = join(dir, 'Big.Dockerfile');
    await writeFile(big, Buffer.alloc(4 * MiB + 1, 0x23));
    await assert.rejects(lintDockerfileFile(big), (e: unknown) => isMamoriError(e, 'LIMIT_EXCEEDED'));
    await mkdir(join(dir, 'sub'));
    await assert.rejects(lintDockerfileFile(join(dir, 'sub')), (e: unknown) =>
      isMamoriError(e, 'INVALID_ARGUMENT'),
    );
    await assert.rejects(lintDockerfileFile(join(dir, 'missing')), (e: unknown) =>
      isMamoriError(e, 'NOT_FOUND'),
    );
    const ok = join(dir, 'Dockerfile');
    await writeFile(ok, 'FROM alpine:latest\n');
    const r = await lintDockerfileFile(ok);
    assert.ok(r.findings.some((f) => f.ruleId === 'MD003' && f.location.path === ok));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const line = (fill: string) => fill.repeat(Math.ceil(MiB / fill.length)).slice(0, MiB);

const SHAPES: [string, string, string | undefined][] = [
  ['words', `FROM a\nRUN ${line('a ')}\n`, undefined],
  ['dollar-paren', `FROM a\nRUN sudo ${line('$(')}\n`, 'MD019'],
  ['backticks', `FROM a\nRUN sudo ${line('`')}\n`, 'MD019'],
  ['quotes', `FROM a\nRUN sudo x ${line('"\\\'')}\n`, 'MD019'],
  ['backslashes', `FROM a\nRUN sudo x ${line('\\')}x\n`, 'MD019'],
  ['heredoc words', `FROM a\nRUN ${line('<<A ')}\nA\n`, undefined],
  ['pipes', `FROM a\nRUN ${line('curl x | sh | ')}\n`, 'MD016'],
  ['env', `FROM a\nENV DB_PASSWORD=${line('x')}\n`, 'MD020'],
  ['env vars', `FROM a\nENV A=${line('${')}\n`, undefined],
  ['labels', `FROM a\nLABEL ${line('a="b c" ')}\n`, undefined],
  ['image', `FROM ${line('a')}:latest\n`, 'MD003'],
  ['variables in FROM', `ARG X=1\nFROM ${line('${X:-')}\n`, undefined],
  ['json', `FROM a\nCMD [${line('"a",')}"b"]\n`, undefined],
  ['expose', `FROM a\nEXPOSE ${line('8080 ')} 22\n`, 'MD023'],
  ['packages', `FROM a\nRUN apt-get install -y ${line('pkg ')}\n`, 'MD008'],
  ['chmod', `FROM a\nRUN chmod ${line('a')}\n`, undefined],
  ['secret formats', `FROM a\nRUN echo ${line('AKIA')} AKIAZ7QWERTYUIOPL2KJ\n`, 'MD021'],
  ['directive', `# escape=${line(' ')}x\nFROM a\n`, undefined],
  ['comment', `FROM a\n# mamori-ignore: ${line('MD001,')}\n`, undefined],
  ['spaces then text', `FROM a\nRUN a${line(' ')}b\n`, undefined],
  ['many lines', `FROM a\n${line('RUN sudo x\n')}`, 'MD019'],
  [
    'many stages',
    `FROM a AS s0\n${Array.from({ length: 40_000 }, (_, k) => `FROM s${k} AS s${k + 1}`).join('\n')}\n`,
    'MD001',
  ],
  ['many heredocs', `FROM a\n${line('RUN <<E\nsudo x\nE\n')}`, 'MD019'],
  ['continuations', `FROM a\nRUN sudo \\\n${line('x \\\n')}\n`, 'MD019'],
];

for (const [name, text, rule] of SHAPES) {
  test(`1 MiB pathological input: ${name}`, () => {
    const r = lintDockerfile(text);
    for (const f of r.findings) {
      assert.ok((f.location.startLine ?? 0) >= 1, 'positions stay in the file');
      assert.ok((f.evidence ?? '').length <= 400, 'evidence stays short');
    }
    if (rule !== undefined)
      assert.ok(
        r.findings.some((f) => f.ruleId === rule),
        `${name}: ${rule} still found`,
      );
  });
}

test('random input never throws and every finding points into the file', () => {
  const token = fc.constantFrom(
    'FROM ',
    'RUN ',
    'COPY ',
    'ADD ',
    'ENV ',
    'ARG ',
    'USER ',
    'CMD ',
    'ONBUILD ',
    'SHELL ',
    'HEALTHCHECK ',
    'EXPOSE ',
    '<<EOF',
    '<<-E',
    '3<<X',
    'EOF',
    '\n',
    '\t',
    '\\\n',
    '`\n',
    '# escape=`\n',
    '# mamori-ignore: MD001',
    '$(',
    ')',
    '`',
    '"',
    "'",
    '&&',
    '|',
    ';',
    '--from=',
    '--mount=type=cache,target=/x',
    '[',
    ']',
    '"a",',
    '${A:-b}',
    'sudo ',
    'curl x | sh',
    'apt-get install ',
    'AS b',
    ' ',
    '=',
    'chmod 777 ',
    '\r\n',
    '\r',
    '\uFEFF',
  );
  fc.assert(
    fc.property(fc.array(fc.oneof(token, fc.string({ maxLength: 6 })), { maxLength: 60 }), (parts) => {
      const text = parts.join('');
      const r = lintDockerfile(text);
      const lines = text.split('\n').length + 1;
      for (const f of [...r.findings, ...r.suppressed.map((s) => s.finding)]) {
        const { startLine = 0, endLine = 0, startColumn = 0 } = f.location;
        assert.ok(
          startLine >= 1 && endLine >= startLine && endLine <= lines && startColumn >= 1,
          JSON.stringify(f.location),
        );
      }
    }),
    { numRuns: 500 },
  );
});
