import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compileGlob, type GlobMode } from './index.js';

/** Reference semantics as a backtracking regular expression (fine for the short strings of the property test). */
function reference(pattern: string, mode: GlobMode): RegExp {
  let src = '';
  const p = pattern;
  let prefix = false;
  if (mode === 'path' && p.endsWith('/')) prefix = true;
  for (let i = 0; i < p.length; i++) {
    const ch = p[i] ?? '';
    if (ch === '*') {
      let n = 1;
      while (p[i + 1] === '*') {
        i++;
        n++;
      }
      src += mode === 'text' || n > 1 ? '.*' : '[^/]*';
    } else if (ch === '?') src += mode === 'text' ? '.' : '[^/]';
    else src += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${src}${prefix ? '.*' : ''}$`, 's');
}

describe('glob', () => {
  it('matches paths: * within a segment, ** across, trailing / as a directory prefix', () => {
    const g = (p: string) => compileGlob(p, 'path');
    assert.ok(g('/etc/*')('/etc/passwd'));
    assert.ok(!g('/etc/*')('/etc/ssh/sshd_config'));
    assert.ok(g('/etc/**')('/etc/ssh/sshd_config'));
    assert.ok(g('/etc/')('/etc/ssh/sshd_config'));
    assert.ok(!g('/etc/')('/etcetera'));
    assert.ok(g('**/.ssh/id_*')('/home/a/.ssh/id_rsa'));
    assert.ok(!g('**/.ssh/id_*')('/home/a/.ssh/keys/id_rsa'));
    assert.ok(g('/usr/lib/python3*/**__pycache__/*.pyc')('/usr/lib/python3.11/json/__pycache__/x.pyc'));
    assert.ok(g('registry.example.com/debug/*')('registry.example.com/debug/busybox:1.36'));
    assert.ok(!g('registry.example.com/debug/*')('registry.example.com/debug/a/b'));
    assert.ok(g('/a?c')('/abc') && !g('/a?c')('/a/c'));
    assert.ok(g('/lit\\*')('/lit*') && !g('/lit\\*')('/litx'));
  });

  it('matches text: * crosses anything', () => {
    const g = (p: string) => compileGlob(p, 'text');
    assert.ok(g('https://artifacts.example.com/*')('https://artifacts.example.com/a/b.tgz'));
    assert.ok(g('python3*')('python3.11') && !g('python3*')('python2'));
    assert.ok(g('*')('') && !g('?')(''));
  });

  for (const mode of ['path', 'text'] as const) {
    it(`agrees with the reference semantics (${mode} mode)`, () => {
      const pat = fc
        .array(fc.constantFrom('a', 'b', '/', '*', '**', '?', '.'), { maxLength: 8 })
        .map((x) => x.join(''));
      const str = fc
        .array(fc.constantFrom('a', 'b', '/', '.', '*'), { maxLength: 12 })
        .map((x) => x.join(''));
      fc.assert(
        fc.property(pat, str, (p, s) => compileGlob(p, mode)(s) === reference(p, mode).test(s)),
        { numRuns: 3000 },
      );
    });
  }

  it('stays linear on patterns that make backtracking matchers explode', () => {
    const value = 'a'.repeat(20_000);
    assert.equal(compileGlob('*a*a*a*a*a*a*a*a*a*b', 'text')(value), false);
    assert.equal(compileGlob('/**a**a**a**a**a**a**b', 'path')(`/${value}`), false);
    assert.equal(compileGlob('*a*a*a*a*a*a*a*a*a*a', 'text')(value), true);
  });
});
