import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parseBuildSetting, parseModinfo, quotedPrefix, unquoteGo } from './index.js';
import { goEnv } from './testdata/fixtures.js';

const execFileAsync = promisify(execFile);

describe('parseModinfo', () => {
  it('reads path, mod, dep, replacement and build lines', () => {
    const text = [
      'path\texample.com/app/cmd/app',
      'mod\texample.com/app\t(devel)\t',
      'dep\tgithub.com/a/b\tv1.2.3\th1:abc=',
      'dep\tgithub.com/c/d\tv0.1.0',
      '=>\tgithub.com/e/d\tv0.1.1\th1:def=',
      'dep\texample.com/local\tv0.0.0-00010101000000-000000000000',
      '=>\t../local\t(devel)\t',
      'build\t-compiler=gc',
      'build\t-ldflags="-s -w -X \\"main.v=1\\""',
      'build\t"odd key"=`raw value`',
      'build\tvcs.modified=false',
      'build\tEMPTY=',
      '',
    ].join('\n');
    assert.deepEqual(parseModinfo(text), {
      path: 'example.com/app/cmd/app',
      main: { path: 'example.com/app', version: '(devel)' },
      deps: [
        { path: 'github.com/a/b', version: 'v1.2.3', sum: 'h1:abc=' },
        {
          path: 'github.com/c/d',
          version: 'v0.1.0',
          replace: { path: 'github.com/e/d', version: 'v0.1.1', sum: 'h1:def=' },
        },
        {
          path: 'example.com/local',
          version: 'v0.0.0-00010101000000-000000000000',
          replace: { path: '../local', version: '(devel)' },
        },
      ],
      settings: [
        { key: '-compiler', value: 'gc' },
        { key: '-ldflags', value: '-s -w -X "main.v=1"' },
        { key: 'odd key', value: 'raw value' },
        { key: 'vcs.modified', value: 'false' },
        { key: 'EMPTY', value: '' },
      ],
    });
  });

  it('drops malformed lines instead of failing, and ignores a last line without newline', () => {
    const text = [
      'dep\tonly-one-column',
      '=>\tgithub.com/x/y\tv1.0.0\t', // replaces nothing: the line before was dropped
      'dep\ta/b\tv1\tsum\textra',
      'dep\tgood/mod\tv1.0.0\th1:x=',
      '=>\ttoo\tfew',
      '=>\tsecond/replace\tv2.0.0\t', // a second replacement attaches to nothing
      'build\t=novalue',
      'build\tkey with space=1',
      'build\tk=v v',
      'build\tk="unterminated',
      'build\tnokey',
      'unknown\tline',
      'no tab at all',
      'build\tok=1',
      'dep\tlast/line\tv9.9.9',
    ].join('\n');
    assert.deepEqual(parseModinfo(text), {
      deps: [{ path: 'good/mod', version: 'v1.0.0', sum: 'h1:x=' }],
      settings: [{ key: 'ok', value: '1' }],
    });
    assert.deepEqual(parseModinfo(''), { deps: [], settings: [] });
  });

  it('parses build settings as Go does', () => {
    assert.deepEqual(parseBuildSetting('a=b=c'), { key: 'a', value: 'b=c' });
    assert.deepEqual(parseBuildSetting('"a=b"=c'), { key: 'a=b', value: 'c' });
    assert.equal(parseBuildSetting('"a"c'), undefined);
    assert.equal(parseBuildSetting('"a"'), undefined);
    assert.equal(parseBuildSetting(''), undefined);
  });
});

describe('Go string literals', () => {
  it('unquotes what Go strconv.Quote writes, for awkward strings', async (t) => {
    const samples = [
      '',
      'plain',
      'with space',
      'tab\there',
      'quote " and backslash \\',
      'newline\nand\rreturn',
      'bell\x07 vt\x0b ff\x0c bs\x08 nul\x00',
      'unicode é ü 世界 😀',
      'del\x7f and c1 \u0085 and bidi \u202e',
      '\ufeffbom',
    ];
    const dir = await mkdtemp(join(tmpdir(), 'mamori-goquote-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await writeFile(
      join(dir, 'main.go'),
      'package main\n\nimport (\n\t"encoding/json"\n\t"fmt"\n\t"os"\n\t"strconv"\n)\n\n' +
        'func main() {\n\tvar in []string\n\tif err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {\n\t\tpanic(err)\n\t}\n' +
        '\tfor _, s := range in {\n\t\tfmt.Println(strconv.Quote(s))\n\t\tfmt.Println(strconv.QuoteToASCII(s))\n\t}\n' +
        '\tfmt.Println(strconv.Quote("\\xff\\xfe invalid"))\n}\n',
    );
    await writeFile(join(dir, 'go.mod'), 'module quote\n\ngo 1.19\n');
    const child = execFileAsync('go', ['run', '.'], { cwd: dir, env: goEnv(dir) });
    child.child.stdin?.end(JSON.stringify(samples));
    const { stdout } = await child;
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines.length, samples.length * 2 + 1);
    samples.forEach((s, i) => {
      for (const quoted of [lines[2 * i] ?? '', lines[2 * i + 1] ?? '']) {
        assert.equal(unquoteGo(quoted), s, quoted);
        assert.equal(quotedPrefix(`${quoted}=rest`), quoted.length, quoted);
      }
    });
    // Invalid UTF-8 is written as \x escapes; decoding replaces the bad bytes.
    assert.equal(unquoteGo(lines[lines.length - 1] ?? ''), '\ufffd\ufffd invalid');
  });

  it('reads raw strings and rejects malformed literals', () => {
    assert.equal(unquoteGo('`a\\nb`'), 'a\\nb');
    assert.equal(unquoteGo('`a\rb`'), 'ab');
    for (const bad of [
      '"',
      '"abc',
      'abc"',
      '"\\q"',
      '"\\x4"',
      '"\\400"',
      '"\\ud800"',
      '"\\U00110000"',
      '"a"b"',
      "'a'",
      '`a`b`',
      '"\\\'"',
    ]) {
      assert.equal(unquoteGo(bad), undefined, bad);
    }
    assert.equal(quotedPrefix('"abc'), undefined);
    assert.equal(quotedPrefix('abc'), undefined);
    assert.equal(quotedPrefix('`abc'), undefined);
  });
});
