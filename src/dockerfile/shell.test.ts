import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseShell } from './index.js';
import { programOf } from './commands.js';

function words(script: string): string[][] {
  return parseShell(script).map((c) => c.words.map((w) => w.text));
}

test('splits on &&, ||, ;, | and newlines and records the connector and pipeline', () => {
  const cmds = parseShell('set -e; a x && b || c | d\ne &');
  assert.deepEqual(
    cmds.map((c) => [c.words[0]?.text, c.connector, c.pipeline, c.pipeIndex]),
    [
      ['set', ';', 0, 0],
      ['a', '&&', 1, 0],
      ['b', '||', 2, 0],
      ['c', '|', 3, 0],
      ['d', '\n', 3, 1],
      ['e', '&', 4, 0],
    ],
  );
});

test('quotes and escapes are removed, variables kept as written', () => {
  assert.deepEqual(words(`echo 'a b' "c \\"d\\" $HOME" e\\ f \${X:-y z}`), [
    ['echo', 'a b', 'c "d" $HOME', 'e f', '${X:-y z}'],
  ]);
  assert.deepEqual(words("echo 'unterminated"), [['echo', 'unterminated']]);
});

test('operators inside quotes are words; a backslash-newline joins lines', () => {
  assert.deepEqual(words('echo "a && b" \'c | d\' \\\n  && next'), [['echo', 'a && b', 'c | d'], ['next']]);
});

test('command substitutions, backticks and process substitutions are read as nested commands first', () => {
  const cmds = parseShell('sh -c "$(curl -fsSL https://x)" && bash <(wget -qO- https://y) && echo `id -u`');
  assert.deepEqual(
    cmds.map((c) => [c.words[0]?.text, c.depth, c.substitution]),
    [
      ['curl', 1, true],
      ['sh', 0, false],
      ['wget', 1, true],
      ['bash', 0, false],
      ['id', 1, true],
      ['echo', 0, false],
    ],
  );
});

test('here-document bodies are data, not commands', () => {
  const cmds = parseShell("cat > /etc/x <<'EOF' && chmod 600 /etc/x\nsudo rm -rf /\nEOF\necho after");
  assert.deepEqual(
    cmds.map((c) => c.words[0]?.text),
    ['cat', 'chmod', 'echo'],
  );
  assert.deepEqual(
    cmds[0]?.heredocs.map((h) => [h.delimiter, h.quoted, h.content]),
    [['EOF', true, 'sudo rm -rf /\n']],
  );
  const chomped = parseShell('cat <<-END\n\tline\n\tEND\nnext');
  assert.deepEqual(
    chomped.map((c) => c.words[0]?.text),
    ['cat', 'next'],
  );
});

test('comments, subshells, groups, redirections and reserved words', () => {
  assert.deepEqual(words('a # b && c\nd'), [['a'], ['d']]);
  assert.deepEqual(words('(cd /x && make) 2>&1 >/dev/null; { echo a; }'), [
    ['cd', '/x'],
    ['make'],
    [],
    ['{', 'echo', 'a'],
    ['}'],
  ]);
  const redir = parseShell('make 2>&1 >out.log');
  assert.deepEqual(
    redir[0]?.redirects.map((r) => [r.fd, r.op, r.target?.text]),
    [
      [2, '>&', '1'],
      [undefined, '>', 'out.log'],
    ],
  );
  assert.deepEqual(words('echo a#b $((1 + 2))'), [['echo', 'a#b', '$((1 + 2))']]);
});

test('programOf skips assignments, reserved words and wrappers such as sudo and env', () => {
  const at = (s: string) => {
    const c = parseShell(s)[0];
    return c === undefined ? undefined : programOf(c.words);
  };
  const apt = at('DEBIAN_FRONTEND=noninteractive sudo -E -u root env -i A=1 /usr/bin/apt-get install x');
  assert.deepEqual(
    [apt?.name, apt?.wrappers, apt?.args.map((a) => a.text)],
    ['apt-get', ['sudo', 'env'], ['install', 'x']],
  );
  assert.equal(at('then timeout 30 curl x')?.name, 'curl');
  assert.equal(at('command -v curl')?.name, 'command');
});

test('deep nesting is read as text past the depth limit without overflowing the stack', () => {
  const deep = '$('.repeat(100_000) + 'echo hi' + ')'.repeat(100_000);
  const cmds = parseShell(`true && echo ${deep} && sudo x`);
  assert.ok(cmds.some((c) => c.words[0]?.text === 'sudo'));
  const subshells = '('.repeat(50_000) + 'x' + ')'.repeat(50_000);
  assert.ok(parseShell(subshells).length >= 0);
});
