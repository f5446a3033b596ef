import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DockerfileParser } from 'dockerfile-ast';
import fc from 'fast-check';
import { parseDockerfile } from './index.js';
import type { Instruction } from './index.js';

function only(text: string, keyword: string): Instruction[] {
  return parseDockerfile(text).instructions.filter((i) => i.keyword === keyword);
}

test('continuation lines are joined as the builder joins them, skipping comment and empty lines', () => {
  const m = parseDockerfile(
    'FROM alpine:3.20\nRUN apk add \\\n    # a comment\n    curl \\\n\n    git\nRUN echo next\n',
  );
  const [run, next] = only(
    'FROM alpine:3.20\nRUN apk add \\\n    # a comment\n    curl \\\n\n    git\nRUN echo next\n',
    'RUN',
  );
  assert.ok(run && next);
  assert.equal(run.argsText.text, 'apk add     curl     git');
  assert.deepEqual([run.range.startLine, run.range.endLine], [2, 6]);
  assert.equal(next.range.startLine, 7);
  assert.deepEqual(
    m.comments.map((c) => [c.line, c.text, c.inInstruction]),
    [[3, 'a comment', 1]],
  );
});

test('positions inside a joined RUN map back to their source lines', async () => {
  const { lintDockerfile } = await import('./index.js');
  const r = lintDockerfile(
    'FROM debian:12\nRUN apt-get update \\\n  && sudo apt-get install -y --no-install-recommends curl=1 \\\n  && rm -rf /var/lib/apt/lists/*\n',
  );
  const sudo = r.findings.find((f) => f.ruleId === 'MD019');
  assert.deepEqual([sudo?.location.startLine, sudo?.location.startColumn], [3, 6]);
});

test('heredocs: body, delimiter, chomp, quoting and the instructions after them', () => {
  const text = [
    'FROM debian:12',
    'RUN <<EOF',
    'echo one',
    'EOF',
    'RUN <<-"EOT" bash',
    '\techo two $HOME',
    '\tEOT',
    'COPY <<CONF /etc/app.conf',
    'FROM not-an-instruction',
    'CONF',
    'RUN echo last',
  ].join('\n');
  const m = parseDockerfile(text);
  assert.deepEqual(
    m.instructions.map((i) => [i.keyword, i.range.startLine, i.range.endLine]),
    [
      ['FROM', 1, 1],
      ['RUN', 2, 4],
      ['RUN', 5, 7],
      ['COPY', 8, 10],
      ['RUN', 11, 11],
    ],
  );
  const [first, second] = only(text, 'RUN');
  assert.equal(first?.heredocs[0]?.content.text, 'echo one\n');
  assert.deepEqual(
    [second?.heredocs[0]?.name, second?.heredocs[0]?.chomp, second?.heredocs[0]?.expand],
    ['EOT', true, false],
  );
  const copy = only(text, 'COPY')[0];
  assert.deepEqual(
    copy?.args.map((a) => a.value),
    ['<<CONF', '/etc/app.conf'],
    'the body is not read as arguments',
  );
  assert.equal(copy?.heredocs[0]?.content.text, 'FROM not-an-instruction\n');
});

test('dockerfile-ast misses a heredoc with a file-descriptor prefix; the model does not', () => {
  const text = 'FROM alpine\nRUN 3<<EOF cat /dev/fd/3\nabc\nEOF\nRUN echo z\n';
  const lib = DockerfileParser.parse(text)
    .getInstructions()
    .map((i) => i.getKeyword());
  assert.deepEqual(lib, ['FROM', 'RUN', 'ABC', 'EOF', 'RUN'], 'the library reads the body as instructions');
  const m = parseDockerfile(text);
  assert.deepEqual(
    m.instructions.map((i) => i.keyword),
    ['FROM', 'RUN', 'RUN'],
  );
  assert.deepEqual(
    [m.instructions[1]?.heredocs[0]?.fd, m.instructions[1]?.heredocs[0]?.content.text],
    [3, 'abc\n'],
  );
});

test('dockerfile-ast runs a heredoc body line ending in the escape character into its delimiter; the model does not', () => {
  for (const [prefix, esc] of [
    ['', '\\'],
    ['# escape=`\n', '`'],
  ]) {
    const text = `${prefix}FROM alpine\nRUN <<EOF\necho a ${esc}\nEOF\nRUN echo z\n`;
    const run = DockerfileParser.parse(text).getInstructions()[1];
    const libHeredoc =
      run !== undefined && 'getHeredocs' in run
        ? (run as unknown as { getHeredocs(): { getDelimiterRange(): unknown }[] }).getHeredocs()[0]
        : undefined;
    assert.equal(libHeredoc?.getDelimiterRange(), null, 'the library finds no delimiter');
    const mine = only(text, 'RUN');
    assert.equal(mine.length, 2);
    assert.equal(mine[0]?.heredocs[0]?.content.text, `echo a ${esc}\n`);
    assert.equal(mine[0]?.heredocs[0]?.terminated, true);
  }
});

test('an unterminated heredoc runs to the end of the file', () => {
  const m = parseDockerfile('FROM alpine\nRUN <<EOF\necho a\nRUN echo z\n');
  assert.equal(m.instructions.length, 2);
  assert.deepEqual(
    [m.instructions[1]?.heredocs[0]?.terminated, m.instructions[1]?.range.endLine],
    [false, 4],
  );
});

test('`<< EOF` (space) and here-strings are not Dockerfile heredocs; JSON-form RUN never has one', () => {
  assert.equal(only('FROM a\nRUN cat <<< "x"\n', 'RUN')[0]?.heredocs.length, 0);
  assert.equal(only('FROM a\nRUN ["sh", "-c", "cat <<EOF"]\nRUN b\n', 'RUN').length, 2);
});

test('escape directive: backtick continuations, only at the top, before any comment or blank line', () => {
  const tick = parseDockerfile('# escape=`\nFROM x\nRUN a `\n  b\nCOPY C:\\src C:\\dst\n');
  assert.equal(tick.escape, '`');
  assert.deepEqual(tick.directives, [{ name: 'escape', value: '`', line: 1 }]);
  assert.equal(tick.instructions[1]?.argsText.text, 'a   b');
  assert.deepEqual(
    tick.instructions[2]?.args.map((a) => a.value),
    ['C:\\src', 'C:\\dst'],
  );
  for (const text of ['# note\n# escape=`\nFROM x\nRUN a `\n b\n', '\n# escape=`\nFROM x\nRUN a `\n b\n']) {
    const m = parseDockerfile(text);
    assert.equal(m.escape, '\\', JSON.stringify(text));
    assert.equal(m.instructions.filter((i) => i.keyword === 'RUN').length, 1);
  }
  const both = parseDockerfile('# syntax=docker/dockerfile:1\n#ESCAPE = `\nFROM x\n');
  assert.deepEqual(
    both.directives.map((d) => [d.name, d.value]),
    [
      ['syntax', 'docker/dockerfile:1'],
      ['escape', '`'],
    ],
  );
  assert.equal(both.escape, '`');
});

test('directives follow BuildKit where dockerfile-ast is more lenient', () => {
  const cases: [string, string, string[]][] = [
    ['# hadolint global ignore=DL3007\nFROM a\n', '\\', []],
    ['# foo=bar\n# escape=`\nFROM a\nRUN x \\\n  y\n', '\\', []],
    ['# escape=`\n# escape=\\\nFROM a\n', '`', ['escape']],
    ['# escape=x\nFROM a\nRUN a \\\n  b\n', '\\', ['escape']],
    [
      '  # Syntax = docker/dockerfile:1\n# check=skip=all\n# escape=`\nFROM a\n',
      '`',
      ['syntax', 'check', 'escape'],
    ],
  ];
  for (const [text, escape, names] of cases) {
    const m = parseDockerfile(text);
    assert.equal(m.escape, escape, JSON.stringify(text));
    assert.deepEqual(
      m.directives.map((d) => d.name),
      names,
      JSON.stringify(text),
    );
  }
  const lib = DockerfileParser.parse('# foo=bar\n# escape=`\nFROM a\n');
  assert.equal(lib.getEscapeCharacter(), '`', 'the library reads the escape directive after an unknown one');
  const hadolint = parseDockerfile('# hadolint global ignore=DL3007\nFROM a\n');
  assert.deepEqual(
    hadolint.comments.map((c) => c.text),
    ['hadolint global ignore=DL3007'],
  );
  assert.equal(
    parseDockerfile('# foo=bar\n# escape=`\nFROM a\nRUN x \\\n  y\n').instructions[1]?.argsText.text,
    'x   y',
  );
});

test('ARG before FROM: defaults, ${VAR:-default}, unset variables and stage references', () => {
  const m = parseDockerfile(
    'ARG REG=docker.io\nARG TAG=3.20\nARG UNSET\nFROM ${REG}/library/alpine:${TAG} AS Base\nFROM base AS app\nFROM ${UNSET:-debian:12}\nFROM $UNSET\n',
  );
  assert.deepEqual(
    m.globalArgs.map((a) => a.properties[0]?.name),
    ['REG', 'TAG', 'UNSET'],
  );
  const [base, app, fallback, unknown] = m.stages;
  assert.deepEqual(
    [base?.image.resolved, base?.image.registry, base?.image.name, base?.image.tag, base?.name],
    ['docker.io/library/alpine:3.20', 'docker.io', 'library/alpine', '3.20', 'base'],
  );
  assert.equal(app?.baseStage, 0);
  assert.equal(fallback?.image.resolved, 'debian:12');
  assert.equal(unknown?.image.unresolved, true);
});

test('image references: registry with port, digest, tag', () => {
  const [s] = parseDockerfile(
    'FROM --platform=$BUILDPLATFORM localhost:5000/team/app:1.2@sha256:abc AS b\n',
  ).stages;
  assert.deepEqual(
    [s?.image.registry, s?.image.name, s?.image.tag, s?.image.digest, s?.platform],
    ['localhost:5000', 'team/app', '1.2', 'sha256:abc', '$BUILDPLATFORM'],
  );
});

test('exec form is a JSON array of strings; anything else is shell form', () => {
  const m = parseDockerfile(
    'FROM a\nCMD ["node", "s.js"]\nCMD ["broken"\nENTRYPOINT [1, 2]\nRUN ["a\\"b"]\n',
  );
  assert.deepEqual(
    m.instructions.slice(1).map((i) => i.exec),
    [['node', 's.js'], undefined, undefined, ['a"b']],
  );
});

test('ENV, ARG and LABEL pairs with quotes and the legacy `ENV key value` form', () => {
  const m = parseDockerfile(
    'FROM a\nENV A=1 B="two words"\nENV KEY value with spaces\nLABEL x.y="q z"\nARG N\n',
  );
  assert.deepEqual(
    m.instructions.flatMap((i) => i.properties.map((p) => [p.name, p.value])),
    [
      ['A', '1'],
      ['B', 'two words'],
      ['KEY', 'value with spaces'],
      ['x.y', 'q z'],
      ['N', null],
    ],
  );
});

test('CRLF, a byte-order mark and a lone carriage return', () => {
  const m = parseDockerfile('\uFEFFFROM alpine:3.20\r\nRUN echo a \\\r\n  b\r\nRUN x\ry\r\n');
  assert.deepEqual(
    m.instructions.map((i) => [i.keyword, i.range.startLine]),
    [
      ['FROM', 1],
      ['RUN', 2],
      ['RUN', 4],
    ],
  );
  assert.equal(m.instructions[1]?.argsText.text, 'echo a   b');
  assert.equal(m.stages[0]?.image.resolved, 'alpine:3.20');
});

test('ONBUILD keeps its trigger; instructions are assigned to stages', () => {
  const m = parseDockerfile(
    'ARG X=1\nFROM a AS one\nONBUILD RUN --mount=type=cache,target=/c apt-get install -y curl\nFROM b\nRUN true\n',
  );
  const onbuild = m.instructions[2];
  assert.equal(onbuild?.trigger?.keyword, 'RUN');
  assert.equal(onbuild?.trigger?.argsText.text, 'apt-get install -y curl');
  assert.deepEqual(
    m.instructions.map((i) => i.stage),
    [-1, 0, 0, 1, 1],
  );
  assert.deepEqual(
    m.stages.map((s) => s.instructions.length),
    [2, 2],
  );
});

test('a line ending in an escaped escape character is not continued (BuildKit); dockerfile-ast continues it', () => {
  const text = 'FROM a\nRUN echo x \\\\\nRUN echo y\n';
  const lib = DockerfileParser.parse(text).getInstructions();
  assert.equal(lib.length, 2, 'the library joins the two RUNs');
  const mine = only(text, 'RUN');
  assert.deepEqual(
    mine.map((i) => i.argsText.text),
    ['echo x \\\\', 'echo y'],
  );
});

/** Random Dockerfiles without heredocs: the model's instructions start where the library's do. */
test('instruction boundaries agree with dockerfile-ast wherever there is no heredoc', () => {
  const line = fc.oneof(
    fc.constantFrom(
      'FROM alpine',
      'RUN echo a',
      'RUN a \\',
      '  b \\',
      'RUN a `',
      '  c `',
      '# comment',
      '  # indented',
      '',
      '   ',
      'ENV A=1 \\',
      'COPY a b',
      'run lower',
      'LABEL a="b c" \\',
    ),
    fc.stringMatching(/^[A-Za-z =-]{0,12}$/),
  );
  fc.assert(
    fc.property(fc.boolean(), fc.array(line, { maxLength: 14 }), (tick, lines) => {
      const esc = tick ? '`' : '\\';
      // Where the library departs from BuildKit (the model follows BuildKit): an escaped escape at the end of a
      // line, a line holding only the escape character, and a keyword glued to the escape character.
      const glued = (l: string): boolean => /^\s*[^\s#]+$/.test(l) && l.trimEnd().endsWith(esc);
      if (lines.some((l) => l.trimEnd().endsWith(esc + esc) || l.trim() === esc || glued(l))) return;
      const text = (tick ? '# escape=`\n' : '') + lines.join('\n') + '\n';
      const lib = DockerfileParser.parse(text)
        .getInstructions()
        .map((i) => [i.getKeyword(), i.getRange().start.line + 1]);
      const mine = parseDockerfile(text).instructions.map((i) => [i.keyword, i.range.startLine]);
      assert.deepEqual(mine, lib);
    }),
    { numRuns: 400 },
  );
});
